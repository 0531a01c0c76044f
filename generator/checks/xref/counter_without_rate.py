"""Rules, alerts and forecasts read counters through rate(), irate() or increase().

A counter's raw value only grows (and drops to zero when its process restarts), so comparing it with a threshold
or forecasting it means nothing. Dashboards are linted for the same thing (GD004); imported rules are kept as
written.

    Alert(name="ManyErrors", expr="errors_total > 100", ...)         # fires forever once 100 errors happened
    Alert(name="ManyErrors", expr="rate(errors_total[5m]) > 1", ...)  # more than one error per second

Fix: read the counter through rate() (per second) or increase() (per window). Under absent() a counter is only
asked whether it exists, whatever reads it there.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import RATE_FUNCTIONS, PromQLError, selectors
from generator.model.metrics import counter_like

CODE = "XR012"
NAME = "counter-without-rate"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    series = context.series
    for item in context.expressions:
        if not item.rated:
            continue
        try:
            found = selectors(item.expr)
        except PromQLError:
            continue
        for selector in found:
            if (selector.name in series and counter_like(selector.name, series[selector.name])
                    and selector.function not in RATE_FUNCTIONS and not selector.asked):
                yield Finding(item.at, f"{item.what} reads counter {selector.name!r} without rate()/increase(): "
                                       "its raw value only grows", item.field)
