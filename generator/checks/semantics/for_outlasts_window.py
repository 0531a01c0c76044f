"""An alert's `for` outlasts the window it is judged over: it tells only long after anyone expects it to.

Prometheus fires an alert once its expression has returned the series at every evaluation for `for`; one
evaluation without it (a dip, a gap, a Prometheus down longer than --rules.alert.for-outage-tolerance, 1h) starts
the wait again. A window of an hour or more is a wait of its own: after a step change the value needs part of the
window to cross the threshold, and a `for` of two windows or more then holds it that much longer. promtool, traffic
stepping from 0 to 5/s at 10m against `sum(rate(x_total[1h])) > 1`: with `for: 30m` it fires by 55m, with `for: 2h`
it is silent at 70m and at 141m and fires at 143m, more than two hours after the change, although its reader
expects the hour its window says. Shorter windows are a rate's smoothing and `for` is the wait (kube-prometheus:
`rate(...[5m])` held 15m, `rate(...[2m])` held 1h), so they are not reported, nor is a `for` under twice the window
(prometheus-mixin's `increase(...[3h]) > 0` held 4h: failures in every 3 hours for 4). Ranges read at an offset
of an hour or more (last week's hour, a subquery's too) are baselines, not waits, and are
not counted; a shorter offset (a range read 5 minutes back) is still a wait.

An alert on an SLO's events (its expression reads, through recording rules too, a series the SLO's SLI reads)
whose `for` is longer than the SLO's window is reported whatever its windows: the objective is judged over the
window, so by the time it fires the whole window's error budget has long been spent, and a single evaluation
below the threshold in all that time means it never does.

    Alert(expr="sum(rate(orders_total[1h])) < 10", **{"for": "2h"})                          # reported
    Alert(metric=error_ratio, op=">", threshold=0.005, **{"for": "45d"})   # beside a 30d SLO on its requests
    Alert(expr="sum(rate(orders_total[1h])) < 10", **{"for": "15m"})

Imported rule sets' alerts are judged the same way, their recording rules followed.

Fix: a `for` that is the delay you want (within the window, or the SLO's burn-rate alerts for an SLO), or a
shorter window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from generator.checks.base import Context, Finding
from generator.checks.semantics.alert_without_condition import conditions
from generator.checks.semantics.recorded import BASELINE, recorded_exprs, series_read, through_rules, timed_reads
from generator.core.duration import format_seconds, parse_seconds
from generator.core.errors import Level
from generator.core.promql import metric_names
from generator.model.slo import SLO

CODE = "SM022"
NAME = "for-outlasts-window"
LEVEL = Level.WARNING
LONG_WINDOW = 3600.0
"""A window this long or longer is a wait of its own, not a rate's smoothing."""
RATIO = 2
"""A `for` of this many windows or more is reported."""


def _window(rules: Mapping[str, str], expr: str, seen: frozenset[str] = frozenset()) -> float:
    """The longest range or subquery an expression reads now (not a baseline at an offset of BASELINE or more, a
    subquery's offset counted for what is under it), recording rules followed."""
    longest = 0.0
    for read in timed_reads(expr):
        if read.back >= BASELINE:
            continue
        longest = max(longest, read.window or 0.0)
        if read.name in rules and read.name not in seen:
            longest = max(longest, _window(rules, rules[read.name], seen | {read.name}))
    return longest


def _slo_inputs(slo: SLO) -> frozenset[str]:
    return frozenset(name for text in slo.sli.inputs() for name in metric_names(text))


def check(context: Context) -> Iterator[Finding]:
    rules = context.derived(recorded_exprs)
    slos = [(slo, _slo_inputs(slo)) for slo in context.project.all(SLO)]
    for at, _, what, expr, held, path in conditions(context):
        hold = parse_seconds(held) if held else 0.0
        if not hold:
            continue
        reads = through_rules(rules, series_read(expr))[0] if slos else set()
        slo = next((slo for slo, inputs in slos if hold > parse_seconds(slo.window) and reads & inputs), None)
        if slo is not None:
            yield Finding(at, f"{what} holds `for` {held}, longer than the {slo.window} window of SLO {slo.service} "
                              f"{slo.name}, whose events it reads: Prometheus fires it only after {held} of its "
                              f"condition at every evaluation, when the window's whole error budget has long been "
                              f"spent, and one evaluation below the threshold starts the wait again; alert within "
                              f"the window (the SLO's burn-rate alerts do)", path, (slo.location,))
            continue
        window = _window(rules, expr)
        if window >= LONG_WINDOW and hold >= RATIO * window:
            yield Finding(at, f"{what} holds `for` {held} over a {format_seconds(window)} window: Prometheus fires it "
                              f"only after {held} of its condition at every evaluation, on top of the part of the "
                              f"window the value needs to cross the threshold, where its reader expects the "
                              f"{format_seconds(window)} the window says; one evaluation below starts the wait "
                              f"again; hold it less than {format_seconds(RATIO * window)}, or shorten the window",
                          path)
