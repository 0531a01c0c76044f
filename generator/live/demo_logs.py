"""Demo series of LogQL recording rules, as Loki's ruler remote-writes them to Prometheus.

A rule such as `sum by (service_name) (rate({service_name=~"api|rag-engine"} | detected_level="error" [5m]))`
records one series per value of its `by` labels, read from its stream selector (api, rag-engine), and none of the
scrape targets' job/instance labels. Its lines come at a healthy share of what the log alerts counting the same
lines allow: ApiErrorLogsHigh (`count_over_time({service_name="api"} | detected_level="error" [5m]) > 50`) holds
api's error lines under 50 in 5 minutes, 1/6 a second, so the demo's api logs 1/30 a second; lines no alert
bounds come at LINES_UNWATCHED.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping

from generator.core.duration import parse_seconds
from generator.core.logql import LogQLError, Matcher, parse, result_labels
from generator.live.demo_bounds import Band
from generator.live.demo_levels import Level, averaged, level
from generator.model import LogAlert, LogRecordingRule
from generator.model.project import Project

LINES_UNWATCHED = 0.05
"""Lines a second of a counted kind no log alert bounds (three a minute): a few, as error lines are."""
PER_WINDOW = frozenset({"count_over_time"})
"""Range functions whose value is lines per window (rate: per second)."""
_LITERALS = re.compile(r"[\w.-]+(\|[\w.-]+)*")
_THRESHOLD = re.compile(r">=?\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*$")


def _lines(expr: str) -> tuple[tuple[Matcher, ...], str, str, float] | None:
    """(stream selector, pipeline text, range function, window in seconds) of a one-selector metric query."""
    try:
        query = parse(expr)
    except LogQLError:
        return None
    if len(query.selectors) != 1 or len(query.ranges) != 1:
        return None
    pipeline = re.search(r"}(.*)\[", expr, re.S)
    function = next((f for f in query.functions if f in PER_WINDOW | {"rate"}), None)
    if pipeline is None or function is None:
        return None
    return query.selectors[0], " ".join(pipeline[1].split()), function, parse_seconds(query.ranges[0])


def _values(label: str, selector: tuple[Matcher, ...], pools: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The values a stream label takes: its matcher's (`="api"`, `=~"api|rag-engine"`), else the demo's pool."""
    for matcher in selector:
        if matcher.label == label and matcher.op == "=":
            return (matcher.value,)
        if matcher.label == label and matcher.op == "=~" and _LITERALS.fullmatch(matcher.value):
            return tuple(matcher.value.split("|"))
    return pools.get(label, ("main",))


def _ceilings(project: Project, pipeline: str, labels: dict[str, str]) -> Iterator[float]:
    """Lines a second each log alert counting the same lines (same pipeline, a stream selector agreeing with the
    labels) allows before it fires."""
    for alert in project.all(LogAlert):
        counted, threshold = _lines(alert.expr), _THRESHOLD.search(alert.expr)
        if counted is None or threshold is None or counted[1] != pipeline:
            continue
        if all(labels.get(m.label, m.value) == m.value for m in counted[0] if m.op == "="):
            yield float(threshold[1]) / (counted[3] if counted[2] in PER_WINDOW else 1.0)


def log_series(rule: LogRecordingRule, project: Project, pools: Mapping[str, tuple[str, ...]],
               seed: Callable[..., float]) -> Iterator[tuple[str, dict[str, str], Callable[[float], float]]]:
    """(name, labels, value over time) of each series a LogQL recording rule records."""
    counted = _lines(rule.expr)
    names = sorted(result_labels(rule.expr) or ())
    selector = counted[0] if counted else ()
    for values in itertools.product(*(_values(name, selector, pools) for name in names)):
        labels = dict(zip(names, values, strict=True))
        ceilings = list(_ceilings(project, counted[1], labels)) if counted else []
        healthy = level(Band(None, min(ceilings)), "") if ceilings else Level(LINES_UNWATCHED, 0.5)
        per = counted[3] if counted and counted[2] in PER_WINDOW else 1.0
        drawn = averaged(Level(healthy.centre * per, healthy.swing), counted[3] if counted else 0.0)
        yield rule.name, {**labels, **rule.labels}, drawn.over_day(seed(rule.name, *values))
