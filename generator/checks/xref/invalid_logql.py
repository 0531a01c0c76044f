"""Log alerts and LogQL recording rules parse, and select only on labels some log stream indexes.

Loki's ruler evaluates them; a query that does not parse fails the ruler, and one selecting on a label no stream
has matches nothing, so the alert can never fire.

Fix: correct the query, or index the label in the LogStream.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.logql import LogQLError, metric_query
from generator.model.logs import SERVICE_LABEL, LogAlert, LogRecordingRule, LogStream

CODE = "XR016"
NAME = "invalid-logql"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    known = {SERVICE_LABEL} | {label for stream in project.all(LogStream) for label in stream.labels}
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
