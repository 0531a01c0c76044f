"""Every query parses and reads only series something defines.

Anti-pattern: `rate(http_request_total[...])` (a typo) or a metric no exporter sends: the panel
says "No data" and nobody notices until an incident.
Fix: declare the Metric or RecordingRule in definitions/, or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import Context, queries

CODE = "GD008"
NAME = "defined-series"


def check(dashboard: dict[str, Any], context: Context) -> Iterator[tuple[dict[str, Any], str]]:
    """Queries that do not parse, or read series no Metric or RecordingRule defines."""
    for query in queries(dashboard):
        if query.error:
            yield query.panel, query.error
        for selector in query.selectors:
            if selector.name and selector.name not in context.series:
                yield query.panel, f"reads {selector.name}, which no Metric or RecordingRule defines"
