"""A panel shows a 0-1 ratio in the unit `percent` (0.5 reads 0.5%), or a ratio times 100 in `percentunit` (5000%).

Anti-pattern: an error ratio `sum(rate(errors[5m])) / sum(rate(requests[5m]))` (or an availability
`1 - errors / requests`, or a recorded `...:ratio...` series) with unit `percent`: half the requests failing
reads "0.5%", and thresholds written for it (0.05 red) colour a value no reader connects to them.
Fix: unit `percentunit` (Grafana multiplies by 100 for display), or `100 * (...)` in the query and thresholds in
percent; the other way round, `100 * (...)` shown in `percentunit` reads 50 as 5000%. Read from the query's
shape: a ratio is a `/` of two series (not `x / 100`), `1 - x / y`, a min, max or avg of ratios, or a series
whose recorded name says `ratio`, filtered or not (`x > 0.05`, `0.05 < x`); a query multiplied by 100 is
taken as scaled. A query's unit is the one an override gives its series (byFrameRefID), else the panel's; a panel
whose overrides give units to series picked by name is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import panels, parsed, variable_values
from generator.checks.semantics.shapes import has_selector, hundred_over, number, times_hundred
from generator.core.errors import Level
from generator.core.promql import COMPARISONS, unparen

CODE = "GD010"
NAME = "ratio-in-percent"
LEVEL = Level.WARNING  # read from the query's shape: a `/` of two series that is not a share is possible
AVERAGING = frozenset({"min", "max", "avg", "quantile", "topk", "bottomk"})
"""Aggregations that keep a ratio a ratio (a sum of ratios is not one)."""


def ratio(node: Any) -> bool:
    """Whether an expression's values are a 0-1 share by its shape."""
    node = unparen(node)
    kind = type(node).__name__
    if kind == "VectorSelector":
        return "ratio" in str(node.name or "").split(":")[-1] and ":" in str(node.name or "")
    if kind == "AggregateExpr":
        return str(node.op) in AVERAGING and ratio(node.expr)
    if kind != "BinaryExpr" or getattr(node.modifier, "return_bool", False):
        return False
    op = str(node.op)
    if op == "/":
        return has_selector(node.lhs) and has_selector(node.rhs) and times_hundred(node.lhs) is None
    if op == "-":
        return number(node.lhs) == 1 and ratio(node.rhs)
    if op in ("or", "and", "unless"):
        return ratio(node.lhs)  # a fallback or a filter keeps the left side's values
    if op in COMPARISONS:  # a filter keeps its series' values, on either side (`0.05 < x`)
        return ratio(node.rhs if number(node.lhs) is not None else node.lhs)
    return False


def hundredfold(node: Any) -> bool:
    """Whether an expression is a ratio multiplied by 100 (`100 * x / y`, which PromQL reads `(100 * x) / y`, and
    `(x / y) * 100`)."""
    node = unparen(node)
    scaled = times_hundred(node)
    if scaled is not None:
        return ratio(scaled)
    split = hundred_over(node)
    return split is not None and has_selector(split[1]) and has_selector(split[0])


def _message(target: dict[str, Any], unit: str, root: Any, steps: list[Any]) -> str:
    """What is wrong with a query of a panel in that unit, '' when nothing."""
    where = f"query {target.get('refId', '?')}"
    if unit == "percentunit" and hundredfold(root):
        return (f"{where} is a ratio times 100 and the unit is `percentunit`, which multiplies by 100 again: "
                "50 reads 5000%; use unit `percent`, or drop the `100 *`")
    if unit != "percent" or not ratio(root):
        return ""
    small = [value for value in steps if isinstance(value, int | float) and 0 < value <= 1]
    said = f" (thresholds {', '.join(f'{v:g}' for v in small)} read as {small[-1]:g}%)" if small else ""
    return (f"{where} is a 0-1 ratio and the unit is `percent`: 0.5 reads 0.5%{said}; use unit `percentunit`, or "
            "multiply the query by 100")


def units(field_config: dict[str, Any]) -> dict[str, Any] | None:
    """The unit an override gives the series of each query (byFrameRefID); None when one gives a unit to series
    picked otherwise (by name, by regex: which query's is not known)."""
    found: dict[str, Any] = {}
    overrides = field_config.get("overrides")
    for override in overrides if isinstance(overrides, list) else []:
        properties = override.get("properties") if isinstance(override, dict) else None
        unit = [p.get("value") for p in properties or [] if isinstance(p, dict) and p.get("id") == "unit"]
        if not unit:
            continue
        matcher = override.get("matcher")  # (unit says override is a dict)
        if not isinstance(matcher, dict) or matcher.get("id") != "byFrameRefID":
            return None
        found[str(matcher.get("options"))] = unit[-1]
    return found


def check(dashboard: dict[str, Any], context: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Panels whose unit (the query's override's, else the panel's) says percent and whose query's shape says the
    other scale."""
    values = variable_values(dashboard)
    for panel in panels(dashboard):
        field_config = panel.get("fieldConfig") or {}
        defaults = field_config.get("defaults") or {}
        overridden = units(field_config)
        if overridden is None:
            continue
        steps = [step.get("value") for step in (defaults.get("thresholds") or {}).get("steps") or []]
        for target in panel.get("targets") or []:
            unit = overridden.get(str(target.get("refId")), defaults.get("unit"))
            if unit not in ("percent", "percentunit"):
                continue
            root = None if target.get("hide") else parsed(target, values)
            message = _message(target, unit, root, steps) if root is not None else ""
            if message:
                yield panel, message
                break
