"""The panel an alert opens plots the value the alert compares, and its colours do not change where the alert fires.

An on-call engineer opened by a notification reads the panel's colour: a panel that stays green while its alert
fires (no threshold at all, or one at another value) says the alert is wrong, and one that turns red long before
it says an incident is on when none is.

    Alert(name="GrafanaRequestsFailing", expr="100 * sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) "
                                              "> 50", dashboard="Meta")
    Panel(title="Grafana Request Errors", unit="percent",
          queries="100 * sum(rate(errors_total[$__rate_interval])) / sum(rate(requests_total[$__rate_interval]))")
    # no thresholds: green at 80%, where the alert fires

Read from the expressions: a query of the panel is the alert's compared side when both are the same once label
matchers, grouping labels, rate windows and an outer min, max or avg are set aside; a side multiplied by 100 is
the same value in percent (a `percentunit` panel of the ratio has its threshold at the alert's / 100). Alerts on
`> 0` (any increase), comparisons with another series or on the right of `and`/`unless` (a traffic guard), and
thresholds in percentage mode or set per series by an override are left out, and so is a step at the alert's
value in a colour that says neither good nor bad (#F2495C, blue); the colours read are the panel's JSON's, what
`extra=` writes over it included.

A log alert (LogQL, Loki's ruler) is judged the same way when its panel plots a LogQL recording rule counting the
lines it counts (derive/log_lines: the same pipeline and streams), the rule's series alone or summed, averaged, or
taken the min or max of by labels keeping its groups: `count_over_time(...[5m]) > 50` fires at 50 / 300 lines a
second on a panel of the rule's `rate(...[5m])`.

Fix: a threshold step at the alert's value, coloured orange or red above it for an alert on high values, or
below it for one on low values: `thresholds=((50, "red"),)`; `((None, "red"), (0.05, "green"))`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.semantics.shapes import Comparison, comparisons, hundred_over, number, times_hundred
from generator.checks.semantics.threshold_direction import Steps, panel_steps, severity
from generator.core.errors import Level
from generator.core.grafana_promql import PARSE_BUILTINS, UnknownVariable, interpolate
from generator.core.logql import result_labels
from generator.core.promql import PromQLError, parse, unparen
from generator.derive import log_lines
from generator.derive.dashboards import alert_panel
from generator.model import Alert, LogAlert, LogRecordingRule, Panel
from generator.model.alerts import AlertRule

CODE = "SM019"
NAME = "panel-colour-off-alert"
LEVEL = Level.WARNING
KEEPING = frozenset({"min", "max", "avg"})
"""Aggregations whose result is on the scale of what they aggregate."""
COUNTING = frozenset({"increase", "sum_over_time", "count_over_time", "changes", "resets", "delta",
                      "predict_linear"})
"""Functions whose value grows with their window: their windows must match."""


class _Opened(dict[str, str]):
    """Grafana's built-ins, and any other variable as `.*`: what a query reads matters here, not its matchers."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return ".*"


VALUES = _Opened(PARSE_BUILTINS)


def shape(node: Any, counting: bool = False) -> str:
    """An expression written without what does not change its scale: label matchers, grouping labels, vector
    matching, and the windows of rates and averages."""
    node = unparen(node)
    kind = type(node).__name__
    if kind == "VectorSelector":
        return str(node.name or "{}")
    if kind == "MatrixSelector":
        window = f"[{node.range}]" if counting else "[]"
        return shape(node.vector_selector) + window
    if kind == "Call":
        name = str(node.func.name)
        return f"{name}({', '.join(shape(arg, name in COUNTING) for arg in node.args)})"
    if kind == "AggregateExpr":
        param = f"{shape(node.param)}, " if node.param is not None else ""
        return f"{node.op}({param}{shape(node.expr)})"
    if kind == "BinaryExpr":
        return f"({shape(node.lhs)} {node.op} {shape(node.rhs)})"
    if kind == "UnaryExpr":
        return f"-{shape(node.expr)}"
    if kind == "SubqueryExpr":
        return f"{shape(node.expr)}[:]"
    if kind == "NumberLiteral":
        return f"{float(node.val):g}"
    return str(node)


def scaled(node: Any) -> tuple[str, float]:
    """(shape, scale) of a value: an outer min/max/avg set aside, a factor of 100 taken out (`100 * x / y`, which
    PromQL reads `(100 * x) / y`, is the ratio x / y at scale 100)."""
    node = unparen(node)
    while type(node).__name__ == "AggregateExpr" and str(node.op) in KEEPING:
        node = unparen(node.expr)
    inner = times_hundred(node)
    if inner is not None:
        return shape(inner), 100.0
    split = hundred_over(node)
    if split is not None:
        return f"({shape(split[0])} / {shape(split[1])})", 100.0
    return shape(node), 1.0


def _panel_scales(panel: Panel) -> dict[str, float]:
    found: dict[str, float] = {}
    for query in panel.queries:
        if query.exemplars_only:
            continue
        try:
            kind, scale = scaled(parse(interpolate(query.promql, VALUES)))
        except (PromQLError, UnknownVariable):
            continue  # XR010 says so
        found.setdefault(kind, scale)
    return found


def _marks(steps: Steps, value: float, low_is_bad: bool) -> bool:
    """Whether the panel's colour turns worse across `value` in the direction the alert fires."""
    colours = [(at, severity(color)) for at, color in steps]
    for index, (at, colour) in enumerate(colours):
        if not index or at is None or not abs(at - value) <= 1e-9 * max(1.0, abs(value)):
            continue  # Grafana reads the first step from -Infinity, whatever its value
        below = colours[index - 1][1]
        if colour is None or below is None:
            return True  # a step there in a colour that says neither good nor bad (#F2495C, blue): not judged
        if (colour > below) if not low_is_bad else (below > colour):
            return True
    return False


def _off(panel: Panel, scales: dict[str, float], steps: Steps, comparison: Comparison, alert: Alert) -> str:
    """What is wrong with the panel's colours for that comparison, '' when nothing or when it is not its value."""
    threshold = number(comparison.other)
    if threshold is None or threshold == 0:
        return ""
    kind, alert_scale = scaled(comparison.watched)
    panel_scale = scales.get(kind)
    if panel_scale is None:
        return ""
    value = threshold * panel_scale / alert_scale
    return _unmarked(alert, panel, steps, (threshold, value, panel_scale != alert_scale), comparison.low_is_bad)


def _unmarked(alert: AlertRule, panel: Panel, steps: Steps, limit: tuple[float, float, bool], low_is_bad: bool) -> str:
    """The finding's words when the panel's colours do not turn worse at the alert's threshold on the panel's
    scale: `limit` is (threshold, its value on the panel, whether they differ in scale)."""
    threshold, value, rescaled = limit
    if _marks(steps, value, low_is_bad):
        return ""
    where = "below" if low_is_bad else "above"
    shown = ", ".join(f"{color} from {at:g}" for at, color in steps if at is not None)
    colours = f"its colours change at {shown}" if shown else "it has no threshold"
    return (f"alert {alert.name} fires {where} {threshold:g} and opens panel {panel.title!r}, which plots that value"
            f"{f' ({value:g} on its scale)' if rescaled else ''}, but {colours}: add a step at "
            f"{value:g} coloured worse {where} it, so the panel is red when the alert fires")


def _recorded(node: Any, rules: dict[str, LogRecordingRule]) -> LogRecordingRule | None:
    """The LogQL recording a panel's query plots: its series, or their sum/avg/min/max by labels keeping the
    groups the rule records (one series a group: the same value)."""
    node, groupings = unparen(node), []
    while type(node).__name__ == "AggregateExpr" and str(node.op) in KEEPING | {"sum"}:
        modifier = node.modifier
        if modifier is None or str(modifier.type).endswith("Without"):
            return None  # summed over its groups (or some of them): another value
        groupings.append(set(modifier.labels))
        node = unparen(node.expr)
    rule = rules.get(str(node.name)) if type(node).__name__ == "VectorSelector" else None
    kept = result_labels(rule.expr) if rule is not None else None
    return rule if kept is not None and all(kept <= grouping for grouping in groupings) else None


def _log_off(alert: LogAlert, panel: Panel, steps: Steps, rules: dict[str, LogRecordingRule]) -> str:
    """SM019 for a log alert: its threshold in the unit of the recording its panel plots (lines a second for a
    rate, a window's lines for a count)."""
    lines, limit = log_lines.counted(alert.expr), log_lines.threshold(alert.expr)
    if lines is None or limit is None or limit[1] == 0:
        return ""
    for query in panel.queries:
        try:
            rule = None if query.exemplars_only else _recorded(parse(interpolate(query.promql, VALUES)), rules)
        except (PromQLError, UnknownVariable):
            continue
        plotted = log_lines.counted(rule.expr) if rule is not None else None
        if plotted is not None and log_lines.same_lines(lines, plotted):
            value = limit[1] * plotted.per_second / lines.per_second
            return _unmarked(alert, panel, steps, (limit[1], value, value != limit[1]), limit[0].startswith("<"))
    return ""


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    rules = {rule.name: rule for rule in project.all(LogRecordingRule)}
    for alert in (*project.alerts.values(), *project.all(LogAlert)):
        if not isinstance(alert, Alert | LogAlert) or not alert.dashboard:
            continue
        found = alert_panel(project, alert, with_alert_list=False)
        if found is None:
            continue
        panel = found[1]
        steps = panel_steps(panel)
        if steps is None:
            continue
        if isinstance(alert, LogAlert):
            message = _log_off(alert, panel, steps, rules)
            if message:
                yield Finding(panel, message, ("thresholds",), (alert.location,))
            continue
        scales = _panel_scales(panel)  # (parsed once, not per comparison)
        for comparison in (c for c in comparisons(alert.condition) if not c.choosing):
            message = _off(panel, scales, steps, comparison, alert)
            if message:
                yield Finding(panel, message, ("thresholds",), (alert.location,))
                break
