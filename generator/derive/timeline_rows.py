"""How many rows a state timeline can show, when the project names every one: the layout makes it tall enough to
read them (a timeline of 41 alerts in the default 8 grid rows draws their names on top of each other).

Known are the alerts (ALERTS grouped by alertname) and the scrape targets (`up` by job and instance); a timeline of
anything else keeps its kind's default height.
"""

from __future__ import annotations

import re
from typing import Any

from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.core.promql import PromQLError, metric_names, parse, walk
from generator.derive.dashboards import variable_values
from generator.derive.result_labels import expression_labels
from generator.derive.series import defined_series
from generator.model import Dashboard, Panel
from generator.model.panels import PanelKind
from generator.model.project import Project

TARGET_LABELS = frozenset({"job", "instance"})


def _accepts(matcher: Any, value: str) -> bool:
    op, wanted = str(matcher.op), str(matcher.value)
    if op.endswith("Re"):
        return bool(re.fullmatch(wanted, value)) != op.endswith("NotRe")
    return (value == wanted) != op.endswith("NotEqual")


def _alert_rows(project: Project, expr: str) -> int:
    """Alerts whose name every ALERTS selector of the expression accepts."""
    matchers = [m for node in walk(parse(expr)) if type(node).__name__ == "VectorSelector"
                for m in node.matchers.matchers if m.name == "alertname"]
    return sum(all(_accepts(m, name) for m in matchers) for name in project.alerts)


def _rows(project: Project, expr: str) -> int | None:
    defined = defined_series(project)
    labels = frozenset(expression_labels(project, expr, lambda series: getattr(defined.get(series), "labels", None)))
    if not labels:
        return 1
    names = metric_names(expr)
    if names == {"ALERTS"} and labels == {"alertname"}:
        return _alert_rows(project, expr)
    if names == {"up"} and labels <= TARGET_LABELS:
        jobs = project.scrape_jobs
        return sum(len(job.targets) for job in jobs) if "instance" in labels else len(jobs)
    return None


def timeline_rows(project: Project, dashboard: Dashboard, panel: Panel) -> int | None:
    """The rows of a state timeline's queries together, if the project names them all (None otherwise)."""
    if panel.kind is not PanelKind.STATE_TIMELINE or not panel.queries:
        return None
    values = variable_values(dashboard)
    total = 0
    for query in panel.queries:
        try:
            rows = _rows(project, interpolate(query.promql, values))
        except (PromQLError, UnknownVariable, re.error):
            return None  # reported by the loader's checks
        if rows is None:
            return None
        total += rows
    return total
