"""An alert fires when a value is low, on counters that can stop being written, with nothing for when they do.

A labelled counter exists only once something was counted; when checkout breaks, no order is counted again, and
after a restart the counter's series is never created. Its rate then vanishes instead of reading 0, and an alert
that fires below a threshold resolves exactly when the thing it watches has stopped entirely.

    Alert(expr="job:conversion_rate:ratio_rate10m < 0.05")   # resolves when orders stop being counted
    RecordingRule(expr="(sum by (job) (rate(orders_total[10m])) or on (job) 0 * sum by (job) "
                       "(rate(sessions_total[10m]))) / sum by (job) (rate(sessions_total[10m]))")  # reads 0

Fix: a fallback to 0 in the expression or its recording rule (`or on (job) 0 * <a series that stays>`), a companion
alert on absent()/absent_over_time() of the series, or counters the application creates at 0 for every label.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.shapes import comparisons, names, through_rules
from generator.core.errors import Level
from generator.core.promql import PromQLError, parse, walk
from generator.model.metrics import counter_like

CODE = "SM002"
NAME = "vanishing-series"
LEVEL = Level.WARNING
ABSENT = frozenset({"absent", "absent_over_time"})


def _guards(expr: str) -> tuple[bool, set[str]]:
    """Whether an expression has a fallback (`or`, absent()), and the series it checks for absence."""
    try:
        root = parse(expr)
    except PromQLError:
        return False, set()
    fallback, absent = False, set()
    for node in walk(root):
        kind = type(node).__name__
        if kind == "BinaryExpr" and str(node.op) == "or":
            fallback = True
        elif kind == "Call" and str(node.func.name) in ABSENT:
            fallback = True
            absent |= names(node)
    return fallback, absent


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    companions = {name for alert in project.alerts.values() for name in _guards(alert.condition)[1]}
    for alert in project.alerts.values():
        for comparison in comparisons(alert.condition):
            if not comparison.low_is_bad:
                continue
            read, rule_exprs = through_rules(project, names(comparison.watched))
            counters = sorted(name for name in read if counter_like(name, context.series.get(name)))
            if not counters or read & companions:
                continue
            own = any(type(n).__name__ == "BinaryExpr" and str(n.op) == "or" for n in walk(comparison.watched))
            if own or any(_guards(expr)[0] for expr in rule_exprs):
                continue
            yield Finding(alert, f"alert {alert.name} fires when a value is low but reads counters "
                                 f"({', '.join(counters)}) whose series vanish when nothing is counted: it would "
                                 "resolve when they stop; fall back to 0 (`or on (...) 0 * ...`) or add an "
                                 "absent() companion", ("expr",) if alert.expr else ("metric",))
