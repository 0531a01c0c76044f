"""Every PromQL expression the definitions hold, with the field it is written in: what the series checks read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.derive.dashboards import dashboards, variable_expr, variable_values
from generator.model import Alert, Dashboard, Definition, Forecast, QueryVariable, RuleSet
from generator.model.project import Project


@dataclass(frozen=True)
class Expression:
    """One expression, where it is written and how it must read counters."""

    at: Definition
    field: tuple[str | int, ...]
    what: str
    """How messages name it: "alert CpuHigh", "dashboard Operations panel 'CPU'"."""
    expr: str
    """The PromQL, Grafana variables filled in with their defaults."""
    rated: bool = True
    """Whether counters must be read through rate() (rules and alerts) or may be raw (dashboards lint that)."""
    kept_as_written: str = ""
    """Where else the series may be declared ('' when only Metrics and RecordingRules can define it)."""
    variable_error: str = ""
    """A Grafana variable the expression uses and its dashboard does not define ('' when none)."""


def rule_expressions(project: Project) -> Iterator[Expression]:
    """Each rule's own expression: recording rules, alerts, forecasts, then imported rules (not the alerts'
    examples' series, which _rule_expressions adds)."""
    for rule in project.recording_rules.values():
        yield Expression(rule, ("expr",), f"recording rule {rule.name}", rule.expr)
    for alert in project.alerts.values():
        yield Expression(alert, ("expr",) if alert.expr else ("metric",), f"alert {alert.name}", alert.condition)
    for forecast in project.all(Forecast):
        yield Expression(forecast, ("expr",), f"forecast {forecast.name}", forecast.expr)
    for rule_set in project.all(RuleSet):
        for g, group in enumerate(rule_set.groups):
            for r, imported in enumerate(group.rules):
                # Imported rules are kept as written: nothing beyond defined series (counters may be read raw).
                yield Expression(rule_set, ("groups", g, "rules", r, "expr"),
                                 f"rule set {rule_set.name}, group {group.name}, rule {imported.name}", imported.expr,
                                 rated=False, kept_as_written="or list it in the rule set's external_series")


def _rule_expressions(project: Project) -> Iterator[Expression]:
    for expression in rule_expressions(project):
        yield expression
        alert = expression.at
        if isinstance(alert, Alert):
            for number, example in enumerate(alert.examples):
                for selector in example.series:
                    yield Expression(alert, ("examples", number, "series"),
                                     f"alert {alert.name} example {example.name!r}", selector, rated=False)


def _one_dashboards_expressions(dashboard: Dashboard) -> tuple[Expression, ...]:
    values = variable_values(dashboard)
    found: list[tuple[Definition, tuple[str | int, ...], str, str]] = [
        (dashboard, ("variables", number, "query"), f"dashboard {dashboard.name} variable {variable.name}",
         variable_expr(variable.query))
        for number, variable in enumerate(dashboard.variables) if isinstance(variable, QueryVariable)]
    found += [(panel, ("queries", number, "expr"), f"dashboard {dashboard.name} panel {panel.title!r}",
               query.promql) for panel in dashboard.all_panels for number, query in enumerate(panel.queries)]
    expressions: list[Expression] = []
    for at, path, what, expr in found:
        if not expr:
            continue
        try:
            filled, error = interpolate(expr, values), ""
        except UnknownVariable as unknown:
            filled, error = "", str(unknown.args[0])
        expressions.append(Expression(at, path, what, filled, rated=False,
                                      kept_as_written="or list it in the dashboard's external_series",
                                      variable_error=error))
    return tuple(expressions)


_LAST_DASHBOARDS: dict[int, tuple[Dashboard, tuple[Expression, ...]]] = {}
"""The last build's dashboards (kept alive, so that no other object takes their id) with their expressions: a
dashboard is immutable and its expressions are its own, so a watching build, whose unchanged modules keep their
dashboards, does not fill in and walk them again."""


def _dashboard_expressions(project: Project) -> Iterator[Expression]:
    seen: dict[int, tuple[Dashboard, tuple[Expression, ...]]] = {}
    for dashboard in dashboards(project):
        last = _LAST_DASHBOARDS.get(id(dashboard))
        found = last[1] if last is not None and last[0] is dashboard else _one_dashboards_expressions(dashboard)
        seen[id(dashboard)] = (dashboard, found)
        yield from found
    _LAST_DASHBOARDS.clear()
    _LAST_DASHBOARDS.update(seen)


def expressions(project: Project) -> Iterator[Expression]:
    """Rules, alerts and their examples, forecasts, imported rules, then dashboards' queries and variables."""
    yield from _rule_expressions(project)
    yield from _dashboard_expressions(project)

