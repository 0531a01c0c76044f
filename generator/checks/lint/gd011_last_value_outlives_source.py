"""A stat, gauge or bar gauge shows the last value of a range query, which it keeps after its source stops.

Anti-pattern: a stat of `sum(active_users)` over the dashboard's 24 hours, reduced to its last non-null value
(Grafana's default): the application stops exporting, its series end, and the panel keeps showing the number it
had, in its healthy colour, for up to 24 hours; nothing says the number is old (a sparkline ends where the series
did, a few pixels short of the edge).
Fix: an instant query (`Query(expr=..., instant=True)`), which reads the value now and says No data when there is
none; the sparkline goes with the range, and a time series panel shows the trend. A query that always returns
something (`... or vector(0)`, where no series means none of them) and a reducer over the whole range (mean, max)
are left alone, and so are the queries GD008 names (empty by construction while their source is there).
The `last` reducer keeps the number as lastNotNull does: Grafana's Prometheus data source returns a series'
samples up to its end and inserts no null at the steps after (pkg/promlib/converter reads the samples alone; the
nulls a time series draws in its gaps are the panel's, applyNullInsertThreshold, not the reducer's data), so a
stopped series' last value is its last sample.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, parsed, variable_values
from generator.checks.lint.gd008_stale_last_value import last_value_panels, vanishes
from generator.checks.semantics.shapes import has_selector
from generator.core.errors import Level
from generator.core.promql import unparen

CODE = "GD011"
NAME = "last-value-outlives-source"
LEVEL = Level.WARNING  # a panel may mean "the last value seen" (a batch job's last result), though rarely


def always_there(node: Any) -> bool:
    """Whether an expression returns a value whatever series exist: it reads none, or falls back to one that
    reads none (`x or vector(0)`)."""
    node = unparen(node)
    if not has_selector(node):
        return True
    kind = type(node).__name__
    if kind == "BinaryExpr" and str(node.op) == "or":
        return always_there(node.lhs) or always_there(node.rhs)
    return False


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Reducing panels showing the last value of a range query that can stop returning series."""
    values = variable_values(dashboard)
    for panel, shown, targets in last_value_panels(dashboard):
        for target in targets:
            root = None if target.get("instant") or target.get("hide") else parsed(target, values)
            if root is None or always_there(root) or vanishes(root):
                continue  # (a vanishing query is GD008's)
            yield panel, (f"query {target.get('refId', '?')} is a range query and the panel shows its {shown} "
                          "value: when its source stops reporting, the panel keeps its last number for the "
                          "dashboard's range; make the query instant (No data when there is none)")
            break
