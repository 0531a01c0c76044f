"""rate(), irate() or increase() over a gauge: every fall of the gauge is read as a counter reset.

These functions are written for counters, which only grow: Prometheus reads any decrease as the process
restarting and adds the whole new value back (querying/functions: "rate should only be used with counters").
A gauge goes up and down on its own, so each fall of `http_requests_in_flight` from 40 to 10 counts as a growth
of 10, and the result is neither its rate of change nor anything else: an alert over it fires at random, a panel
draws noise (Prometheus docs; pint's promql/rate "rate() on a gauge").

    in_flight = Metric(name="http_requests_in_flight", type=MetricType.GAUGE, ...)
    Alert(expr="sum by (service) (rate(http_requests_in_flight[5m])) > 10", ...)      # resets misread

Alerts, recording rules, forecasts, dashboards' queries and imported rules are read, for gauges a Metric
declares (a histogram's or summary's _bucket/_count/_sum series are counters).

Fix: deriv() for the gauge's per-second change (delta() for its change over the window), or the gauge itself
(avg_over_time(), max_over_time() for a smoothed or worst value); or declare the metric a COUNTER if it only
grows.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import PromQLError, selectors
from generator.model import MetricType

CODE = "SM021"
NAME = "rate-of-gauge"
LEVEL = Level.WARNING
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase"})


def check(context: Context) -> Iterator[Finding]:
    series = context.series
    for item in context.expressions:
        try:
            found = selectors(item.expr)
        except PromQLError:
            continue  # invalid-promql says so
        for selector in found:
            metric = series.get(selector.name)
            if (selector.function in COUNTER_FUNCTIONS and metric is not None
                    and metric.type is MetricType.GAUGE and selector.name == metric.name):
                yield Finding(item.at, f"{item.what} reads gauge {selector.name!r} through {selector.function}(), "
                                       "which takes each fall of a gauge for a counter reset; use deriv() (per "
                                       "second) or delta() (over the window), or the gauge itself", item.field)
