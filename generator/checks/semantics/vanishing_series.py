"""An alert fires when a value is low, on counters that can stop being written, with nothing for when they do.

A labelled counter exists only once something was counted; when checkout breaks, no order is counted again, and
after a restart the counter's series is never created. Its rate then vanishes instead of reading 0, and an alert
that fires below a threshold resolves exactly when the thing it watches has stopped entirely.

    Alert(expr="job:conversion_rate:ratio_rate10m < 0.05")   # resolves when orders stop being counted
    RecordingRule(expr="(sum by (job) (rate(orders_total[10m])) or on (job) 0 * sum by (job) "
                       "(rate(sessions_total[10m]))) / sum by (job) (rate(sessions_total[10m]))")  # reads 0

Fix: a fallback to 0 in the expression or its recording rule (`or on (job) 0 * <a series that stays>`), a companion
alert on absent()/absent_over_time() of the series, or counters the application creates at 0 for every label.
A companion covers the series it would miss: absent(requests_total{job="api"}), an SLO's SLIAbsent alert among
them, covers an alert on requests_total{job="api"} but not one on requests_total{job="search"}; so does a call that
reads it deeper (absent(sum by (job) (rate(requests_total{job="api"}[5m])))), but not absent(requests_total or up),
which the other side keeps quiet. An SLIAbsent alert watches only inputs that exist from their exporter's start
(SM008), so it covers no counter created at its first event.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.recorded import recorded_exprs, through_rules
from generator.checks.semantics.shapes import comparisons, names
from generator.core.errors import Level
from generator.core.promql import PromQLError, Selector, absence_asked, parse, selectors, walk
from generator.model.metrics import counter_like

CODE = "SM002"
NAME = "vanishing-series"
LEVEL = Level.WARNING


def _fallback(expr: str) -> bool:
    """Whether an expression has a fallback for its series vanishing: an `or`, or absent()."""
    if absence_asked(expr):
        return True
    try:
        root = parse(expr)
    except PromQLError:
        return False
    return any(type(node).__name__ == "BinaryExpr" and str(node.op) == "or" for node in walk(root))


def _reads(expr: str) -> tuple[Selector, ...]:
    try:
        return selectors(expr)
    except PromQLError:
        return ()


def _covers(companion: Selector, read: Selector) -> bool:
    """Whether an absent() companion fires when what a selector reads vanishes: it selects the same name and no
    more series (all the read's matchers, maybe more), so nothing of the read can stay while it selects nothing;
    and nothing else in the call can keep it quiet (absent(x or y) fires only when y vanishes too)."""
    return companion.asked_alone and companion.name == read.name and companion.matchers >= read.matchers


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    rules = context.derived(recorded_exprs)
    companions = [s for alert in project.alerts.values() for s in absence_asked(alert.condition)]
    for alert in project.alerts.values():
        for comparison in comparisons(alert.condition):
            if not comparison.low_is_bad:
                continue
            read, rule_exprs = through_rules(rules, names(comparison.watched))
            counters = sorted(name for name in read if counter_like(name, context.series.get(name)))
            if not counters:
                continue
            counted = [s for expr in (alert.condition, *rule_exprs) for s in _reads(expr)
                       if s.name in counters and not s.asked]
            if any(_covers(companion, s) for companion in companions for s in counted):
                continue
            own = any(type(n).__name__ == "BinaryExpr" and str(n.op) == "or" for n in walk(comparison.watched))
            if own or any(_fallback(expr) for expr in rule_exprs):
                continue
            yield Finding(alert, f"alert {alert.name} fires when a value is low but reads counters "
                                 f"({', '.join(counters)}) whose series vanish when nothing is counted: it would "
                                 "resolve when they stop; fall back to 0 (`or on (...) 0 * ...`) or add an "
                                 "absent() companion", ("expr",) if alert.expr else ("metric",))
