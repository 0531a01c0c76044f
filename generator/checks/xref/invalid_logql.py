"""Log alerts, LogQL recording rules and dashboards' Loki Explore links parse, and select only on labels some log
stream indexes.

Loki's ruler evaluates the rules; a query that does not parse fails the ruler, and one selecting on a label no
stream has matches nothing, so the alert can never fire. An Explore link the same way opens an empty page where
the person who followed it from a panel expected the log lines behind it (`{service=~"$service"}` when the streams
are labelled service_name, OpenTelemetry's service.name as Loki indexes it).

Fix: correct the query, or index the label in the LogStream.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.logql import LogQLError, metric_query, parse
from generator.model import Dashboard, ExploreLink, Panel
from generator.model.logs import SERVICE_LABEL, LogAlert, LogRecordingRule, LogStream
from generator.model.panels import PanelLink
from generator.model.project import Project

CODE = "XR016"
NAME = "invalid-logql"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def _explore_links(project: Project) -> Iterator[tuple[Dashboard | Panel, tuple[str | int, ...], str, str]]:
    """(where, field, what, query) of every Loki Explore link on a dashboard or one of its panels."""
    for dashboard in project.all(Dashboard):
        found: list[tuple[Dashboard | Panel, tuple[str | int, ...], PanelLink, str]] = [
            (dashboard, ("links", index), link, f"dashboard {dashboard.name}")
            for index, link in enumerate(dashboard.links)]
        found += [(panel, ("links", index), link, f"dashboard {dashboard.name}: panel {panel.title!r}")
                  for panel in dashboard.all_panels for index, link in enumerate(panel.links)]
        for where, field, link, what in found:
            if isinstance(link, ExploreLink) and link.datasource == "loki":
                yield where, field, f"{what}: Explore link {link.title!r}", link.query


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    known = {SERVICE_LABEL} | {label for stream in project.all(LogStream) for label in stream.labels}
    yield from _links(project, known)
    rules: list[tuple[LogAlert | LogRecordingRule, str]] = [(a, f"log alert {a.name}") for a in project.all(LogAlert)]
    rules += [(rule, f"LogQL recording rule {rule.name}") for rule in project.all(LogRecordingRule)]
    for rule, what in rules:
        try:
            query = metric_query(rule.expr)
        except LogQLError as error:
            yield Finding(rule, f"{what}: {error}", ("expr",))
            continue
        unknown = sorted(query.labels - known)
        if unknown:
            yield Finding(rule, f"{what} selects on {', '.join(unknown)}, which no LogStream indexes (index labels: "
                                f"{', '.join(sorted(known))})", ("expr",))


def _links(project: Project, known: set[str]) -> Iterator[Finding]:
    for where, field, what, query in _explore_links(project):
        try:
            labels = parse(query).labels
        except LogQLError as error:
            yield Finding(where, f"{what}: {error}", field)
            continue
        unknown = sorted(labels - known)
        if unknown:
            yield Finding(where, f"{what} selects on {', '.join(unknown)}, which no LogStream indexes (index labels: "
                                 f"{', '.join(sorted(known))}): it opens no log line", field)
