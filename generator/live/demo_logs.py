"""Demo series of LogQL recording rules, as Loki's ruler remote-writes them to Prometheus.

A rule such as `sum by (service_name) (rate({service_name=~"api|rag-engine"} | detected_level="error" [5m]))`
records one series per value of its `by` labels, read from its stream selector (api, rag-engine), and none of the
scrape targets' job/instance labels. Its lines come at a healthy share of what the log alerts counting the same
lines allow: ApiErrorLogsHigh (`count_over_time({service_name="api"} | detected_level="error" [5m]) > 50`) holds
api's error lines under 50 in 5 minutes, 1/6 a second, so the demo's api logs 1/30 a second; lines no alert
bounds come at LINES_UNWATCHED. Each log alert has one firing episode (log_episodes), during which the lines it
counts run at 1.5 times its threshold from its `for` and window before, as demo_history's episodes do for the
PromQL alerts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping

from generator.core.duration import parse_seconds
from generator.core.logql import Matcher, result_labels
from generator.derive.log_lines import Lines, counted, same_lines, threshold, values
from generator.live.demo_bounds import Band
from generator.live.demo_levels import Level, averaged, breach, level
from generator.live.demo_time import EPISODE, SPACING, alerting, while_firing
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


def _watching(project: Project, lines: Lines, labels: dict[str, str]) -> Iterator[tuple[LogAlert, float]]:
    """Each log alert counting the lines a recording's series counts (derive/log_lines.same_lines, for the series'
    labels), with the lines a second it allows before it fires."""
    for alert in project.all(LogAlert):
        counts, limit = counted(alert.expr), threshold(alert.expr)
        if counts is None or limit is None or not limit[0].startswith(">") or not same_lines(counts, lines):
            continue
        if all(labels.get(m.label, m.value) == m.value for m in counts.selector if m.op == "="):
            yield alert, limit[1] / counts.per_second


def log_episodes(project: Project, now: int) -> dict[str, tuple[int, int]]:
    """(start, end) of each log alert's firing episode: one every SPACING back from 2h15m ago, between the PromQL
    alerts' (demo_history.episodes; the recorded lines are series of their own, so the two never push one)."""
    first = now - 7200 - SPACING // 2
    return {alert.name: (first - SPACING * index, first - SPACING * index + EPISODE)
            for index, alert in enumerate(project.all(LogAlert))}


def log_breaches(project: Project, episodes: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """(start, end) of the time each log alert's lines run past its threshold: from its `for` and its window before
    its episode (its count fills, then holds for `for`), to the episode's end."""
    found = {}
    for alert in project.all(LogAlert):
        lines = counted(alert.expr)
        if alert.name in episodes and lines is not None:
            start, end = episodes[alert.name]
            found[alert.name] = (start - int(parse_seconds(alert.for_) + lines.window), end)
    return found


def log_alert_series(project: Project, episodes: Mapping[str, tuple[int, int]],
                     ) -> Iterator[tuple[str, dict[str, str], Callable[[float], float]]]:
    """ALERTS of each log alert while it fires in the demo, as Loki's ruler remote-writes them to Prometheus: its
    rules are Prometheus' rules manager's over LogQL, whose alerting rules append ALERTS samples to the same
    storage (Loki's remote-write WAL, always on in out/loki) as its recordings' (Alerts Firing Now, Alerts
    Overview and the alert lists read them)."""
    for alert in project.all(LogAlert):
        if alert.name in episodes:
            start, end = episodes[alert.name]
            labels = {"alertname": alert.name, "alertstate": "firing", "severity": alert.severity, **alert.labels}
            yield "ALERTS", labels, alerting(start, end)


def log_series(rule: LogRecordingRule, project: Project, pools: Mapping[str, tuple[str, ...]],
               seed: Callable[..., float], breaches: Mapping[str, tuple[int, int]] | None = None,
               ) -> Iterator[tuple[str, dict[str, str], Callable[[float], float]]]:
    """(name, labels, value over time) of each series a LogQL recording rule records: under the thresholds of the
    log alerts counting its lines, and past each one's during its breach."""
    lines = counted(rule.expr)
    names = sorted(result_labels(rule.expr) or ())
    selector = lines.selector if lines else ()
    for taken in itertools.product(*(_values(name, selector, pools) for name in names)):
        labels = dict(zip(names, taken, strict=True))
        watching = list(_watching(project, lines, labels)) if lines else []
        healthy = level(Band(None, min(c for _, c in watching)), "") if watching else Level(LINES_UNWATCHED, 0.5)
        per = lines.per_second if lines else 1.0
        drawn = averaged(Level(healthy.centre * per, healthy.swing), lines.window if lines else 0.0)
        value = drawn.over_day(seed(rule.name, *taken))
        for alert, ceiling in watching:
            value = while_firing(value, (breaches or {}).get(alert.name), breach(Band(None, ceiling), "") * per)
        yield rule.name, {**labels, **rule.labels}, value
