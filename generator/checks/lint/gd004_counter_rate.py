"""Counters are only read under rate(), irate() or increase().

Anti-pattern: `http_requests_total` plotted raw; the line only grows and resets on restarts.
Fix: `sum(rate(http_requests_total[$__rate_interval]))`, or increase() for totals over a range. Under absent() a
counter is only asked whether it exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, queries
from generator.core.promql import RATE_FUNCTIONS

CODE = "GD004"
NAME = "counter-rate"


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Selectors of counters outside the rate family."""
    for query in queries(dashboard):
        for selector in query.selectors:
            if selector.name in context.counters and selector.function not in RATE_FUNCTIONS and not selector.asked:
                yield query.panel, f"reads counter {selector.name} without rate() or increase()"
