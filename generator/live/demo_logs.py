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
from collections.abc import Callable, Iterator, Mapping

from generator.core.logql import Matcher, result_labels
from generator.derive.log_lines import counted, threshold, values
from generator.live.demo_bounds import Band
from generator.live.demo_levels import Level, averaged, level
from generator.model import LogAlert, LogRecordingRule
from generator.model.project import Project

LINES_UNWATCHED = 0.05
"""Lines a second of a counted kind no log alert bounds (three a minute): a few, as error lines are."""


def _values(label: str, selector: tuple[Matcher, ...], pools: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The values a stream label takes: its matcher's (`="api"`, `=~"api|rag-engine"`), else the demo's pool."""
    for matcher in selector:
        listed = values(matcher) if matcher.label == label else None
        if listed is not None:
            return listed
    return pools.get(label, ("main",))


def _ceilings(project: Project, pipeline: str, labels: dict[str, str]) -> Iterator[float]:
    """Lines a second each log alert counting the same lines (same pipeline, a stream selector agreeing with the
    labels) allows before it fires."""
    for alert in project.all(LogAlert):
        lines, limit = counted(alert.expr), threshold(alert.expr)
        if lines is None or limit is None or not limit[0].startswith(">") or lines.pipeline != pipeline:
            continue
        if all(labels.get(m.label, m.value) == m.value for m in lines.selector if m.op == "="):
            yield limit[1] / lines.per_second


def log_series(rule: LogRecordingRule, project: Project, pools: Mapping[str, tuple[str, ...]],
               seed: Callable[..., float]) -> Iterator[tuple[str, dict[str, str], Callable[[float], float]]]:
    """(name, labels, value over time) of each series a LogQL recording rule records."""
    lines = counted(rule.expr)
    names = sorted(result_labels(rule.expr) or ())
    selector = lines.selector if lines else ()
    for taken in itertools.product(*(_values(name, selector, pools) for name in names)):
        labels = dict(zip(names, taken, strict=True))
        ceilings = list(_ceilings(project, lines.pipeline, labels)) if lines else []
        healthy = level(Band(None, min(ceilings)), "") if ceilings else Level(LINES_UNWATCHED, 0.5)
        per = lines.per_second if lines else 1.0
        drawn = averaged(Level(healthy.centre * per, healthy.swing), lines.window if lines else 0.0)
        yield rule.name, {**labels, **rule.labels}, drawn.over_day(seed(rule.name, *taken))
