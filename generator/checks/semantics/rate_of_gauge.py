"""rate(), irate() or increase() over a gauge: every fall of the gauge is read as a counter reset.

These functions are written for counters, which only grow: Prometheus reads any decrease as the process
restarting and adds the whole new value back (querying/functions: "rate should only be used with counters").
A gauge goes up and down on its own, so each fall of `http_requests_in_flight` from 40 to 10 counts as a growth
of 10, and the result is neither its rate of change nor anything else: an alert over it fires at random, a panel
draws noise (Prometheus docs; pint's promql/rate "rate() on a gauge").

    in_flight = Metric(name="http_requests_in_flight", type=MetricType.GAUGE, ...)
    Alert(expr="sum by (service) (rate(http_requests_in_flight[5m])) > 10", ...)      # resets misread

A subquery of the gauge is the same mistake: `rate(max_over_time(http_requests_in_flight[1m])[5m:])`,
`increase(clamp_min(g, 0)[1h:])` or `rate(sum(g)[5m:1m])` give rate() the gauge's values, smoothed or summed, at
each step, and they fall as it does. A subquery whose values are not only gauges' (a counter among them, `counter
* on (pod) group_left info_gauge`, count(), timestamp(), count_over_time(), a comparison with `bool`) is not judged.

A gauge holding a timestamp (its name says so: `prometheus_remote_storage_queue_highest_sent_timestamp_seconds`)
only grows while what it stamps advances and falls only when its process restarts, as a counter does: its rate()
is the seconds it advances per second (kube-prometheus' remote-write dashboard), and it is not judged.

Alerts, recording rules, forecasts, dashboards' queries and imported rules are read, for gauges a Metric
declares (a histogram's or summary's _bucket/_count/_sum series are counters).

Fix: deriv() for the gauge's per-second change (delta() for its change over the window), or the gauge itself
(avg_over_time(), max_over_time() for a smoothed or worst value); or declare the metric a COUNTER if it only
grows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import COMPARISONS, FILTERING_OPERATORS, PromQLError, parse, read_selectors, selectors, walk
from generator.derive.result_labels import is_scalar
from generator.model import MetricType

CODE = "SM021"
NAME = "rate-of-gauge"
LEVEL = Level.WARNING
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase"})
SUBQUERY = re.compile(r"\[[^\[\]\"'`]*:[^\[\]\"'`]*\]")
"""Text that may hold a subquery ([5m:], [1h:1m]): only such an expression is parsed (most are read from the facts)."""
NOT_ITS_VALUE = frozenset({"timestamp", "count_over_time", "present_over_time", "absent", "absent_over_time",
                           "changes", "resets", "vector", "scalar", "time", *COUNTER_FUNCTIONS})
"""Functions whose result is not their input's values (a rate() inside is judged on its own)."""
COUNTING = frozenset({"count", "count_values", "group"})
TIMESTAMP = re.compile(r"(?:^|_)timestamp(?:_|$)")
"""A gauge's name saying it holds a timestamp (x_timestamp_seconds, x_last_timestamp): it grows as a counter does."""


def _carried(node: Any) -> list[str]:
    """The series whose values a node's result carries, by name; "" for a value that is no series' (a number,
    a count, a timestamp, a rate), which no gauge explains."""
    kind = type(node).__name__
    if kind == "VectorSelector":
        return [selector.name for _, selector in read_selectors(node)]
    if kind == "MatrixSelector":
        return _carried(node.vector_selector)
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return _carried(node.expr)
    if kind == "AggregateExpr":
        return [""] if str(node.op) in COUNTING else _carried(node.expr)
    if kind == "Call":
        vectors = [arg for arg in node.args if not is_scalar(arg)]
        return [""] if str(node.func.name) in NOT_ITS_VALUE or not vectors else _carried(vectors[0])
    if kind == "BinaryExpr":
        op = str(node.op)
        if op in COMPARISONS and getattr(node.modifier, "return_bool", False):
            return [""]
        if is_scalar(node.lhs) or is_scalar(node.rhs):
            return _carried(node.rhs if is_scalar(node.lhs) else node.lhs)
        if op in FILTERING_OPERATORS or op in COMPARISONS:  # the right side only chooses the left's series
            return _carried(node.lhs)
        return _carried(node.lhs) + _carried(node.rhs)
    return [""]


def _over_subqueries(expr: str, gauges: set[str]) -> Iterator[tuple[str, str]]:
    """(function, gauge) for each rate()/irate()/increase() of a subquery whose values are gauges' alone."""
    for node in walk(parse(expr)):
        if (type(node).__name__ == "Call" and str(node.func.name) in COUNTER_FUNCTIONS and node.args
                and type(node.args[0]).__name__ == "SubqueryExpr"):
            names = _carried(node.args[0].expr)
            if all(name in gauges for name in names):
                yield from ((str(node.func.name), name) for name in names)


def _rated_gauges(expr: str, gauges: set[str]) -> dict[tuple[str, str], None]:
    """(function, gauge) for each gauge the expression gives a counter function, in source order."""
    found = selectors(expr)
    rated = {(selector.function, selector.name): None for selector in found  # rate(g[5m]): its range is the call's
             if selector.function in COUNTER_FUNCTIONS and selector.window is not None and selector.name in gauges}
    if SUBQUERY.search(expr) and any(selector.name in gauges for selector in found):
        rated.update(dict.fromkeys(_over_subqueries(expr, gauges)))
    return rated


def check(context: Context) -> Iterator[Finding]:
    gauges = {name for name, metric in context.series.items() if metric is not None
              and metric.type is MetricType.GAUGE and name == metric.name and not TIMESTAMP.search(name)}
    for item in context.expressions:
        try:
            rated = _rated_gauges(item.expr, gauges)
        except PromQLError:
            continue  # invalid-promql says so
        for function, name in rated:
            yield Finding(item.at, f"{item.what} reads gauge {name!r} through {function}(), which takes each fall "
                                   "of a gauge for a counter reset; use deriv() (per second) or delta() (over the "
                                   "window), or the gauge itself", item.field)
