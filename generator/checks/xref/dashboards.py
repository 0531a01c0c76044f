"""Loader checks of dashboards: unique names, variables and series defined, alerts pointing at real dashboards."""

from __future__ import annotations

from generator.checks.xref.common import check_expr
from generator.core.errors import DefinitionError, Location
from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.core.promql import metric_names
from generator.derive.dashboards import (
    GENERATED_TITLES,
    alert_panel,
    dashboard_alerts,
    dashboards,
    variable_expr,
    variable_values,
)
from generator.model import Dashboard, Metric, QueryVariable
from generator.model.identity import panel_id
from generator.model.project import Project, Warning


def _checked(expr: str, values: dict[str, str], location: Location, what: str) -> str:
    try:
        return interpolate(expr, values)
    except UnknownVariable as error:
        raise DefinitionError(location, f"{what} uses ${error.args[0]}, which the dashboard does not define "
                              f"(defined: {', '.join(v for v in values if not v.startswith('__'))})") from None


def _check_variable(variable: QueryVariable, dashboard: Dashboard, values: dict[str, str],
                    series: dict[str, Metric | None]) -> None:
    what = f"dashboard {dashboard.name} variable {variable.name}"
    expr = variable_expr(variable.query)
    if expr:
        check_expr(_checked(expr, values, dashboard.location, what), dashboard.location, series, what, rated=False)


def _check_dashboard(dashboard: Dashboard, series: dict[str, Metric | None]) -> None:
    values = variable_values(dashboard)
    try:
        for variable in dashboard.variables:
            if isinstance(variable, QueryVariable):
                _check_variable(variable, dashboard, values, series)
        for panel in dashboard.all_panels:
            what = f"dashboard {dashboard.name} panel {panel.title!r}"
            for query in panel.queries:
                # Counters read without rate() are a lint finding (GD004), not a load error.
                check_expr(_checked(query.promql, values, panel.location, what), panel.location, series, what,
                           rated=False)
    except DefinitionError as error:
        if "which no Metric or RecordingRule defines" not in error.message:
            raise
        raise DefinitionError(error.location, f"{error.message}; or list it in the dashboard's external_series"
                              ) from None


def check_dashboards(project: Project, series: dict[str, Metric | None]) -> None:
    """Raise DefinitionError at the first broken dashboard reference; warn about mappings."""
    first: dict[str, Dashboard] = {}
    for dashboard in dashboards(project):
        for key in {dashboard.name, dashboard.uid}:
            if key in first:
                raise DefinitionError(dashboard.location, f"dashboard {dashboard.name!r} has the name or uid of "
                                      f"the one at {first[key].location}")
            first[key] = dashboard
        _check_dashboard(dashboard, series)
        if dashboard_alerts(project, dashboard):
            reserved = {panel_id(t): t for t in GENERATED_TITLES}
            for title in [p.title for p in dashboard.all_panels] + [r.title for r in dashboard.rows]:
                if panel_id(title) in reserved:
                    raise DefinitionError(dashboard.location, f"dashboard {dashboard.name}: title {title!r} is "
                                          f"taken by the generated alert list ({reserved[panel_id(title)]!r})")
        if dashboard.themes:
            project.warnings.append(Warning(dashboard.location, (
                f"dashboard {dashboard.name}: themes {', '.join(dashboard.themes)} have no per-dashboard field in "
                "Grafana (the theme is a user or org preference); mapped to header links opening it with "
                "?theme=light / ?theme=dark, and 'auto' is the user's own preference")))
    names = sorted(d.name for d in dashboards(project))
    for alert in project.alerts.values():
        if not alert.dashboard:
            continue
        if alert.dashboard not in names:
            raise DefinitionError(alert.location, f"alert {alert.name}: unknown dashboard {alert.dashboard!r}; "
                                  f"defined: {', '.join(names) or 'none'}")
        if metric_names(alert.condition) and alert_panel(project, alert, with_alert_list=False) is None:
            project.warnings.append(Warning(alert.location, (
                f"alert {alert.name}: no panel on dashboard {alert.dashboard} plots the series it reads; "
                "its dashboard_url opens the dashboard's alert list")))
