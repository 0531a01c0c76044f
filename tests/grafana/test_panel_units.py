"""What the shipped dashboards' numbers read as: a per-second rate carries a per-second unit, not a bare count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.checks.lint import gd011_last_value_outlives_source as gd011
from generator.checks.lint.dashboard_json import LintContext, panels, parsed, variable_values
from generator.core.promql import unparen

OUT = Path(__file__).resolve().parents[2] / "out" / "grafana" / "dashboards"
COUNTS = frozenset({"short", "none", ""})
"""Units that print a bare number: 0.5 reads as half of one, not half a line per second."""
KEEPING = frozenset({"sum", "max", "min", "avg", "topk", "bottomk"})


def per_second(node: Any) -> bool:
    """Whether an expression's values are a rate: rate()/irate(), or a recorded series named `...:rate<window>`,
    under aggregations and averages over time of it."""
    node = unparen(node)
    kind = type(node).__name__
    if kind == "AggregateExpr":
        return str(node.op) in KEEPING and per_second(node.expr)
    if kind == "Call":
        name = str(node.func.name)
        if name in ("rate", "irate"):
            return True
        return name == "avg_over_time" and per_second(node.args[0].vector_selector)
    if kind == "VectorSelector":
        return str(node.name or "").rsplit(":", 1)[-1].startswith("rate")
    return False


def test_rates_are_shown_per_second() -> None:
    counted = []
    for path in sorted(OUT.rglob("*.json")):
        dashboard = json.loads(path.read_text())
        values = variable_values(dashboard)
        for panel in panels(dashboard):
            roots = [parsed(target, values) for target in panel.get("targets") or []]
            unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit") or ""
            if roots and all(root is not None and per_second(root) for root in roots) and unit in COUNTS:
                counted.append(f"{dashboard['title']}: {panel['title']} ({unit or 'no unit'})")
    assert counted == [], counted


def test_a_stat_of_states_in_words_reads_them_now() -> None:
    """A stat that prints a state as a word (OK, FAILED) of a range query shows its last value: a target down, its
    series vanish and the panel keeps saying OK for the dashboard's range. Read at the range's end (instant), it
    says No data."""
    stale = []
    for path in sorted(OUT.rglob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in panels(dashboard):
            mappings = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("mappings") or []
            if panel.get("type") == "stat" and any(m.get("type") == "value" for m in mappings):
                stale += [f"{dashboard['title']}: {panel['title']} {target.get('expr')}"
                          for target in panel.get("targets") or [] if not target.get("instant")]
    assert stale == [], stale


def test_no_stat_or_gauge_keeps_a_last_value_after_its_source_stops() -> None:
    """GD011 over the shipped out/: a stat or gauge of a range query reduced to its last value keeps Active Users,
    User Satisfaction or Head Series for the dashboard's range after the target stops reporting."""
    kept = []
    for path in sorted(OUT.rglob("*.json")):
        dashboard = json.loads(path.read_text())
        kept += [f"{dashboard['title']}: {panel['title']}" for panel, _ in gd011.check(dashboard, LintContext())]
    assert kept == [], kept
