"""How many rows a state timeline can show, when the project names every one: the layout makes it tall enough to
read them (a timeline of 41 alerts in the default 8 grid rows draws their names on top of each other).

Known are the alerts (ALERTS grouped by alertname) and the scrape targets (`up` by job and instance); a timeline of
anything else keeps its kind's default height.
"""

from __future__ import annotations

from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.core.promql import PromQLError, matcher_op, metric_names, parse, walk
from generator.core.selector_regex import label_matches
from generator.derive.dashboards import variable_values
from generator.derive.result_labels import expression_labels
from generator.derive.series import defined_series
from generator.model import Dashboard, Panel
from generator.model.panels import PanelKind
from generator.model.project import Project

TARGET_LABELS = frozenset({"job", "instance"})


def _accepted(expr: str, candidates: list[dict[str, str]], release: str) -> list[dict[str, str]]:
    """The candidate series (their labels) that some selector of the expression accepts: every matcher it has
    on those labels holds (`ALERTS{alertname="A"} or ALERTS{alertname="B"}` accepts A and B)."""
    chosen = [node.matchers.matchers for node in walk(parse(expr)) if type(node).__name__ == "VectorSelector"]
    return [labels for labels in candidates if any(
        all(label_matches(matcher_op(m), m.value, labels[m.name], release) for m in matchers if m.name in labels)
        for matchers in chosen)]


def _rows(project: Project, expr: str) -> int | None:
    defined = defined_series(project)
    labels = frozenset(expression_labels(project, expr, lambda series: getattr(defined.get(series), "labels", None)))
    if not labels:
        return 1
    names = metric_names(expr)
    if names == {"ALERTS"} and labels == {"alertname"}:
        return len(_accepted(expr, [{"alertname": name} for name in project.alerts],
                             project.stack.prometheus_version))
    if names == {"up"} and labels <= TARGET_LABELS:
        targets = _accepted(expr, [{"job": job.name, "instance": target} for job in project.scrape_jobs
                                   for target in job.targets], project.stack.prometheus_version)
        return len({tuple(target[label] for label in sorted(labels)) for target in targets})
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
        except (PromQLError, UnknownVariable, ValueError):
            return None  # reported by the loader's checks
        if rows is None:
            return None
        total += rows
    return total
