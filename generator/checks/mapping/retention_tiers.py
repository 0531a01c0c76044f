"""Retention tiers are mapped onto one Prometheus retention and recording rules.

Prometheus keeps every series for one server-wide time. The plan's tiers (raw 1h, aggregated 7d, summary 30d)
become recording rules for the aggregated levels; keeping them longer than raw data needs a second store
(remote_write of recorded series), or they live as long as the server keeps data.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level

CODE = "MP002"
NAME = "retention-tiers"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    retention = context.project.retention
    if retention is None:
        return
    target = f"remote_write of recorded series to {retention.long_term_url}" if retention.long_term_url else (
        "a long-term store, and none is declared (long_term_url): they live only as long as the server keeps data")
    yield Finding(retention, f"retention raw={retention.raw}/aggregated={retention.aggregated}/"
                             f"summary={retention.summary}: Prometheus keeps every series for "
                             f"--storage.tsdb.retention.time={retention.server_retention}; aggregated tiers are "
                             f"recording rules, and keeping them longer than raw data needs {target}")
