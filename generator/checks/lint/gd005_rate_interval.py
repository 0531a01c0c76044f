"""rate(), irate() and increase() windows are $__rate_interval (increase may also span $__range).

Anti-pattern: `rate(x[5m])` in a panel; zoomed out, steps skip samples, and a slower scrape
interval leaves windows with fewer than two samples (empty graphs).
Fix: `rate(x[$__rate_interval])`, which Grafana sizes from the step and the scrape interval; use
`increase(x[$__range])` for a total over the selected time range.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import RANGE_WINDOW, RATE_WINDOW, LintContext, queries

CODE = "GD005"
NAME = "rate-interval"
WINDOWED = {"rate": (RATE_WINDOW,), "irate": (RATE_WINDOW,), "increase": (RATE_WINDOW, RANGE_WINDOW)}


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Rate-family windows that are fixed durations."""
    for query in queries(dashboard):
        for selector in query.selectors:
            allowed = WINDOWED.get(selector.function)
            if allowed and selector.window is not None and not any(abs(selector.window - w) < 1e-3 for w in allowed):
                yield query.panel, (f"{selector.function}({selector.name}[...]) uses a fixed window; "
                                           "use [$__rate_interval]")
