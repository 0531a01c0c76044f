"""rate() and irate() windows are $__rate_interval; increase() windows $__rate_interval, $__interval or $__range.

Anti-pattern: `rate(x[5m])` in a panel; zoomed out, steps skip samples, and a slower scrape
interval leaves windows with fewer than two samples (empty graphs).
Fix: `rate(x[$__rate_interval])`, which Grafana sizes from the step and the scrape interval; use
`increase(x[$__range])` for a total over the selected time range, and `increase(x[$__interval])` for a count per
step: per bar of a bar chart, with the panel's min interval set to the span each bar counts (Panel
extra={"interval": "1h"} for orders per hour; GD009 tells when a step holds too few samples).

A fixed window meant whatever the range (a stat of "failed in the last hour") is kept with its reason:
`# obsgen: disable=GD005 a count of the last hour, whatever range the dashboard shows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import INTERVAL_WINDOW, RANGE_WINDOW, RATE_WINDOW, LintContext, queries
from generator.core.duration import format_seconds

CODE = "GD005"
NAME = "rate-interval"
WINDOWED = {"rate": (RATE_WINDOW,), "irate": (RATE_WINDOW,),
            "increase": (RATE_WINDOW, RANGE_WINDOW, INTERVAL_WINDOW)}
INCREASE_FIX = ("for a count per bar use [$__interval] with the panel's min interval at the span (Panel "
                "extra={{\"interval\": \"{window}\"}}), for a total over the range [$__range]; a window meant "
                "whatever the range is kept with its reason: # obsgen: disable=GD005 <reason>")


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Rate-family windows that are fixed durations."""
    for query in queries(dashboard, {"__interval": format_seconds(INTERVAL_WINDOW)}):
        for selector in query.selectors:
            allowed = WINDOWED.get(selector.function)
            if allowed and selector.window is not None and not any(abs(selector.window - w) < 1e-3 for w in allowed):
                fix = INCREASE_FIX.format(window=format_seconds(selector.window)) \
                    if selector.function == "increase" else "use [$__rate_interval]"
                yield query.panel, f"{selector.function}({selector.name}[...]) uses a fixed window; {fix}"
