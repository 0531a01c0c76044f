"""Stat, gauge and bar gauge panels do not keep showing a value their query no longer returns.

Anti-pattern: a stat of `count by (severity) (ALERTS{alertstate="firing"})`, or of `x > 0`: the query returns
nothing while nothing matches, and a panel that reduces its range query to the last non-null value shows the
last value it had: an alert that stopped firing an hour ago still reads 1, in red.
Fix: a fallback for when nothing matches (`... or vector(0)`; a zero per label with
`label_replace(vector(0), "severity", "critical", "", "")`), or an instant query (which has no sparkline).

Reducers (reduceOptions.calcs, lastNotNull when none is given): `lastNotNull` and `last` show the stale value
alike, since Grafana's Prometheus data source inserts no null after a series ends (GD011): the last value is its
last sample. The others summarise the whole range and say so: first and firstNotNull (its start), mean, min,
max, sum, median, the percentiles, variance, stdDev, range, delta, diff, diffperc, step, logmin, count,
distinctCount, changeCount, allIsZero, allIsNull, allValues, uniqueValues; a panel showing only those is not
judged, nor one showing every value (reduceOptions.values).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, panels, parsed, variable_values
from generator.core.errors import Level
from generator.core.promql import ABSENCE_FUNCTIONS, COMPARISONS, FILTERING_OPERATORS, children

CODE = "GD008"
NAME = "stale-last-value"
LEVEL = Level.WARNING  # read from the query's shape: `x > 0` of an x that never drops to 0 cannot go stale
REDUCING = frozenset({"stat", "gauge", "bargauge"})


def vanishes(node: Any) -> bool:
    """Whether an expression can return nothing while what it reads is there: it filters (a comparison, `and`,
    `unless`), reads ALERTS (only alerts that fire or are pending) or absent(), with no `or` for that case."""
    kind = type(node).__name__
    if kind == "VectorSelector":
        return str(node.name) == "ALERTS"
    if kind == "Call" and str(node.func.name) in ABSENCE_FUNCTIONS:  # empty while what it asks about is there
        return True
    if kind == "BinaryExpr":
        op = str(node.op)
        if op == "or":
            return vanishes(node.lhs) and vanishes(node.rhs)
        if op in FILTERING_OPERATORS or (op in COMPARISONS and not getattr(node.modifier, "return_bool", False)):
            return True
    return any(vanishes(child) for child in children(node))


def last_value(panel: dict[str, Any]) -> str:
    """How a reducing panel shows each series' last value: 'last non-null' (lastNotNull, Grafana's default),
    'last' (the `last` reducer, the same value on a Prometheus series), '' when it reduces otherwise or shows
    every value."""
    reduce = (panel.get("options") or {}).get("reduceOptions") or {}
    calcs = reduce.get("calcs") or ["lastNotNull"]
    if reduce.get("values") is True or not isinstance(calcs, list):
        return ""
    return "last non-null" if "lastNotNull" in calcs else "last" if "last" in calcs else ""


def last_value_panels(dashboard: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, list[dict[str, Any]]]]:
    """Each reducing panel (REDUCING) that shows a last value, with how it shows it (last_value) and its targets
    (none for `targets: null`); GD011 reads the same panels."""
    for panel in panels(dashboard):
        shown = last_value(panel) if panel.get("type") in REDUCING else ""
        if shown:
            yield panel, shown, panel.get("targets") or []


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Reducing panels whose range query can end with nothing to show."""
    values = variable_values(dashboard)
    for panel, shown, targets in last_value_panels(dashboard):
        for target in targets:
            root = None if target.get("instant") else parsed(target, values)
            if root is not None and vanishes(root):
                yield panel, (f"query {target.get('refId', '?')} returns nothing while nothing matches, and the "
                              f"panel shows its {shown} value: it keeps showing the last value after that; "
                              "add `or vector(0)` (a zero per label) or make the query instant")
