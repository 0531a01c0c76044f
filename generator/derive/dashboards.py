"""Derivations over dashboards that several targets share: the panels as shown (with each dashboard's
alert list), which panel each alert opens, and the values of template variables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from generator.core.grafana_promql import PARSE_BUILTINS, UnknownVariable, interpolate, variable_names
from generator.core.grafana_variable_value import opening_value
from generator.core.promql import PromQLError, Selector, metric_names, selectors
from generator.derive.escalation import told_channels
from generator.derive.firing_count import heartbeat_names_of, none_firing
from generator.derive.layout import markdown_table_height
from generator.derive.result_labels import expression_labels
from generator.derive.series import defined_series
from generator.derive.variable_json import variable_json
from generator.model import (
    Alert,
    CustomVariable,
    Dashboard,
    GrafanaSettings,
    LogAlert,
    Panel,
    Query,
    QueryVariable,
    Row,
    conventions,
)
from generator.model.alerts import AlertRule
from generator.model.dashboards import Variable
from generator.model.identity import dashboard_uid, panel_id, slug
from generator.model.project import Project

FIRING_TITLE = "Alerts Firing Now"
RULES_TITLE = "Alert Rules"
ALERTS_ROW = "Alerts"
GENERATED_TITLES = (ALERTS_ROW, FIRING_TITLE, RULES_TITLE)
FIRING_HEIGHT = 6
"""Alerts Firing Now's height, one number: its line's, the Alert Rules table's, when that is lower."""


@dataclass(frozen=True)
class Section:
    """Panels under one row header (row None: the panels above the first row)."""

    row: Row | None
    panels: tuple[Panel, ...]


def settings(project: Project) -> GrafanaSettings:
    """The declared Grafana settings, or the defaults."""
    declared = project.all(GrafanaSettings)
    return declared[0] if declared else GrafanaSettings()


def dashboards(project: Project) -> list[Dashboard]:
    """Every dashboard, in definition order."""
    return project.all(Dashboard)


def dashboard_alerts(project: Project, dashboard: Dashboard) -> list[Alert | LogAlert]:
    """The alerts a dashboard lists: those naming it, or all of them for an overview; Prometheus' alerts, then
    Loki's ruler's log alerts (which it remote-writes as ALERTS series to Prometheus, as Prometheus writes its own,
    so the firing count reads them too)."""
    rules: list[Alert | LogAlert] = [*project.alerts.values(), *project.all(LogAlert)]
    return [a for a in rules if dashboard.lists_all_alerts or a.dashboard == dashboard.name]


def _tells_someone(project: Project, alert: Alert | LogAlert) -> bool:
    """Whether an alert tells someone: its severity's or own channels, or its escalation's levels (whose copies are
    not counted); never an always-firing heartbeat."""
    if isinstance(alert, Alert) and alert.heartbeat is not None:
        return False
    return bool(told_channels(project, alert) or project.escalation_of(alert))


def variable_values(dashboard: Dashboard) -> dict[str, str]:
    """A value for every variable, as Grafana would send it when the dashboard opens ('All' for queries)."""
    return values_of(dashboard.variables)


def values_of(variables: Iterable[Variable]) -> dict[str, str]:
    """A value for each of these variables, and Grafana's built-ins, as sent when a dashboard opens: read from the
    JSON each is written as (variable_json) by the reader the lint and the preview share (opening_value)."""
    return {**PARSE_BUILTINS, **{variable.name: opening_value(variable_json(variable)) for variable in variables}}


@dataclass(frozen=True)
class ListedAlert:
    """All a dashboard's JSON shows of an alert it lists (the annotation, the Alerts row), as values: what a watching
    build compares to tell whether the dashboard must be rendered again."""

    name: str
    severity: str
    condition: str
    for_: str
    counted: bool
    """Whether the firing count counts it: not an always-firing heartbeat (it would keep it red), nor an alert that
    tells nobody (routed to 'null', as info alerts are, and climbing no escalation policy): "1 alert firing" there
    would read as someone told."""
    opens: str | None
    """The path of the panel it opens on its own dashboard (None: none)."""
    runbook: str


def heartbeat_names(project: Project) -> tuple[str, ...]:
    """The project's always-firing heartbeat alerts (Watchdog), whose ALERTS series say its rules are evaluated: a
    firing count reads 0 only beside them, "No data" without them (firing_count.none_firing)."""
    return heartbeat_names_of(project.alerts.values())


def listed_alerts(project: Project, dashboard: Dashboard) -> tuple[ListedAlert, ...]:
    """The alerts a dashboard lists (dashboard_alerts), as its JSON and page show them."""
    listed = []
    for alert in dashboard_alerts(project, dashboard):
        target = alert_panel(project, alert, with_alert_list=False)
        condition = alert.condition if isinstance(alert, Alert) else alert.expr
        listed.append(ListedAlert(alert.name, alert.severity, condition, alert.for_, _tells_someone(project, alert),
                                  _panel_path(*target) if target else None,
                                  conventions.runbook_url(project.stack.docs_url, alert.name)))
    return tuple(listed)


def _alerts_row(dashboard: Dashboard, alerts: tuple[ListedAlert, ...], heartbeats: tuple[str, ...]) -> Row:
    names = "|".join(a.name for a in alerts if a.counted)
    counted = f'count(ALERTS{{alertstate="firing",alertname=~"{names}",{conventions.NOT_ESCALATION}}})'
    none = none_firing(heartbeats)
    height = markdown_table_height(len(alerts))  # the rules table's, one row per alert
    firing = Panel(
        title=FIRING_TITLE, kind="stat", unit="none", width=6, height=min(FIRING_HEIGHT, height),
        description="How many of the alerts listed here that tell someone fire now (0 when none"
                    f"{', ' + none[1] if none[1] else ''}; escalation copies, an always-firing heartbeat such as "
                    "Watchdog and alerts routed to nobody, such as info alerts, not counted: Alerts Overview's "
                    "Firing Alerts table lists those).",
        queries=Query(expr=f"{counted} or {none[0]}", instant=True),
        thresholds=((1, "red"),),
    )
    lines = ["| alert | severity | condition | for | runbook |", "|---|---|---|---|---|"]
    for alert in alerts:
        shown = f"[{alert.name}]({alert.opens})" if alert.opens else alert.name
        condition = " ".join(alert.condition.split()).replace("|", "\\|")  # a table cell is one line
        lines.append(f"| {shown} | {alert.severity} | `{condition}` | {alert.for_} | [runbook]({alert.runbook}) |")
    rules = Panel(title=RULES_TITLE, kind="text", width=18, height=height, content="\n".join(lines) + "\n",
                  description="The alert rules that point at this dashboard; each opens the panel showing its data.")
    for panel in (firing, rules):
        panel._location = dashboard.location
    return Row(title=ALERTS_ROW, panels=(firing, rules))


def sections(project: Project, dashboard: Dashboard) -> list[Section]:
    """The dashboard's panels grouped by row, with an Alerts row listing its alerts appended."""
    return listed_sections(dashboard, listed_alerts(project, dashboard), heartbeat_names(project))


def listed_sections(dashboard: Dashboard, alerts: tuple[ListedAlert, ...],
                    heartbeats: tuple[str, ...]) -> list[Section]:
    """sections(), of the alerts the dashboard lists and the project's heartbeats (heartbeat_names)."""
    found = [Section(None, dashboard.panels)] if dashboard.panels else []
    found += [Section(row, row.panels) for row in dashboard.rows]
    if alerts:
        row = _alerts_row(dashboard, alerts, heartbeats)
        found.append(Section(row, row.panels))
    return found


Filled = tuple[tuple[str, str], ...]
"""A dashboard's variable values, hashable: (name, value) in name order."""


def _filled(values: dict[str, str]) -> Filled:
    return tuple(sorted(values.items()))


@lru_cache(maxsize=4096)  # every alert with a dashboard reads every panel of it
def _reads(expr: str, values: Filled) -> tuple[Selector, ...]:
    try:
        return selectors(interpolate(expr, dict(values)))
    except (PromQLError, UnknownVariable):
        return ()  # reported by the loader's checks


def _closest(dashboard: Dashboard, wanted: tuple[Selector, ...], values: Filled) -> Panel | None:
    """The panel reading the most of these selectors with at least their matchers (the first such), among those
    reading any of their series: Error Rates' `http_requests_total{status=~"5.."}` before Throughput's
    `http_requests_total` for an alert on the 5xx."""
    names = {selector.name for selector in wanted}
    best, best_score = None, -1
    for panel in dashboard.all_panels:
        read = [selector for query in panel.queries for selector in _reads(query.promql, values)]
        if not names & {selector.name for selector in read}:
            continue
        score = sum(any(r.name == w.name and w.matchers <= r.matchers for r in read) for w in wanted)
        if score > best_score:
            best, best_score = panel, score
    return best


def _shown(expr: str) -> tuple[Selector, ...]:
    """The selectors whose series an expression returns: `a unless b` is a's, b only chooses which."""
    read = _reads(expr, ())
    return tuple(selector for selector in read if not selector.filters) or read


def alert_panel(project: Project, alert: AlertRule, with_alert_list: bool = True) -> tuple[Dashboard, Panel] | None:
    """The panel an alert opens: on its dashboard, the one it names; else the one whose parsed queries read its
    series (else those its recording rules read) most closely; else, unless `with_alert_list` is False, the
    dashboard's alert list."""
    condition = alert.condition if isinstance(alert, Alert) else None  # all it reads of the alert, with these:
    key = (alert_panel, alert.dashboard, alert.panel, condition, with_alert_list)
    return project.derived(key, lambda: _alert_panel(project, alert, with_alert_list))


def _alert_panel(project: Project, alert: AlertRule, with_alert_list: bool) -> tuple[Dashboard, Panel] | None:
    dashboard = next((d for d in dashboards(project) if d.name == alert.dashboard), None)
    if dashboard is None:
        return None
    named = [panel for panel in dashboard.all_panels if alert.panel and panel.title == alert.panel]
    if named:
        return dashboard, named[0]
    wanted = _shown(alert.condition) if isinstance(alert, Alert) else ()
    inputs = tuple(selector for w in wanted if w.name in project.recording_rules
                   for selector in _shown(project.recording_rules[w.name].expr))
    values = _filled(variable_values(dashboard))
    for series in (wanted, inputs):
        panel = _closest(dashboard, series, values) if series else None
        if panel is not None:
            return dashboard, panel
    if not with_alert_list or not isinstance(alert, Alert):  # the alert list shows the Prometheus alerts only
        return None
    listed = [p for s in sections(project, dashboard) for p in s.panels if p.title == RULES_TITLE]
    return (dashboard, listed[0]) if listed else None


def _panel_path(dashboard: Dashboard, panel: Panel) -> str:
    return f"/d/{dashboard.uid}/{slug(dashboard.display_title)}?viewPanel=panel-{panel_id(panel.title)}"


def kept_labels(project: Project, alert: AlertRule) -> tuple[str, ...]:
    """The labels a Prometheus alert's firing series carry, as its expression computes them (none known for a log
    alert: no LogQL parser here)."""
    if not isinstance(alert, Alert):
        return ()
    defined = defined_series(project)
    try:
        return expression_labels(project, alert.condition, lambda name: getattr(defined.get(name), "labels", None))
    except PromQLError:
        return ()  # reported by the loader's checks


def _used(panel: Panel) -> set[str]:
    """The variables a panel's queries use ($name, ${name}, [[name]])."""
    return {name for query in panel.queries for name in variable_names(query.promql)}


def variable_filter(project: Project, alert: AlertRule, dashboard: Dashboard, panel: Panel) -> str:
    """`&var-<name>=<the alert's label>` for each query or custom variable the panel uses that is named like a label
    the alert keeps, so the panel opens on the host (or job, service...) that fired rather than on all of them; a
    template Prometheus fills, left out for a series without the label, the value URL-escaped (a `&` or `#` in it
    would end the parameter)."""
    kept, used = set(kept_labels(project, alert)), _used(panel)
    names = [v.name for v in dashboard.variables
             if isinstance(v, QueryVariable | CustomVariable) and v.name in kept and v.name in used]
    return "".join(f"{{{{ with $labels.{name} }}}}&var-{name}={{{{ . | urlquery }}}}{{{{ end }}}}" for name in names)


def _url(project: Project, alert: AlertRule, target: tuple[Dashboard, Panel] | None) -> str:
    base = project.stack.grafana_url.rstrip("/")
    if target is None:
        return f"{base}/d/{dashboard_uid(alert.dashboard)}"
    return base + _panel_path(*target)


def panel_url(project: Project, alert: AlertRule) -> str:
    """Absolute URL of the panel an alert opens (the dashboard itself if it has no such panel), on every host: what
    a runbook, read with no alert firing, links to."""
    return _url(project, alert, alert_panel(project, alert))


def dashboard_url(project: Project, alert: AlertRule) -> str:
    """The alert's dashboard_url annotation: its panel_url on the alert's own host, job or service where the
    dashboard has a variable for it."""
    target = alert_panel(project, alert)
    return _url(project, alert, target) + (variable_filter(project, alert, *target) if target else "")


LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(.+),\s*)?([A-Za-z_]\w*)\s*\)\s*$")
QUERY_RESULT = re.compile(r"^\s*query_result\((.+)\)\s*$", re.DOTALL)
NO_SERIES = re.compile(r"^\s*(label_names|metrics)\(.*\)\s*$", re.DOTALL)  # names of labels or metrics


def variable_expr(query: str) -> str:
    """The PromQL a query variable evaluates ('' when it reads no series), as Grafana's Prometheus source runs it."""
    for pattern in (LABEL_VALUES, QUERY_RESULT):
        match = pattern.match(query)
        if match:
            return match.group(1) or ""
    return "" if NO_SERIES.match(query) else query


def series_read(dashboard: Dashboard) -> frozenset[str]:
    """Every series the dashboard's queries and variables read (those that parse), Grafana variables filled in."""
    values = variable_values(dashboard)
    exprs = [variable_expr(v.query) for v in dashboard.variables if isinstance(v, QueryVariable)]
    exprs += [query.promql for panel in dashboard.all_panels for query in panel.queries]
    found: set[str] = set()
    for expr in filter(None, exprs):
        try:
            found |= metric_names(interpolate(expr, values))
        except (PromQLError, UnknownVariable):
            continue  # reported by the loader's checks
    return frozenset(found)
