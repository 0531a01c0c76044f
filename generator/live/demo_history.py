"""Demo data: 8 days of plausible series for every series the dashboards read.

Samples are every 15 s (the stack's scrape interval) for the last 2 hours, every 30 s back to 26 hours,
and every 5 minutes before that. Recorded series (level:metric:operation) are generated directly with
the labels their rule keeps, as Prometheus would have recorded them; ALERTS holds the always-firing
Watchdog and one firing episode per other alert during the last day (an alert on absent() has its series cut for
it, demo_absence.py). demo_blocks.py writes them as TSDB blocks.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from generator.core.duration import parse_seconds
from generator.core.promql import parse, ranges
from generator.derive.result_labels import TARGET, recorded_labels
from generator.derive.series import defined_series
from generator.live.demo_absence import gapped, gaps, lookback
from generator.live.demo_bounds import Bounds, constant, shown, watched_bounds
from generator.live.demo_derived import Extreme, arithmetic, extreme, increase
from generator.live.demo_labels import POOLS, label_sets
from generator.live.demo_levels import (
    FORECAST_EDGES,
    LATENCY_MEDIAN,
    LATENCY_SPREAD,
    RATE_SCALE,
    averaged,
    breach,
    configured,
    failing_share,
    histogram_bounds,
    latency_share,
    level,
    whole_valued,
)
from generator.live.demo_logs import log_alert_series, log_breaches, log_episodes, log_series
from generator.live.demo_time import (
    COUNT_STEP,
    DAY,
    EPISODE,
    SPACING,
    alerting,
    behind,
    burst,
    climbing,
    counter,
    flapping,
    shared_burst,
    slowed,
    while_firing,
)
from generator.model import Forecast, LogRecordingRule, Metric, MetricType, Source
from generator.model.project import Project

SUFFIXES = ("_bucket", "_sum", "_count")
Series = tuple[str, dict[str, str], Callable[[float], float]]


@dataclass(frozen=True)
class Demo:
    """What every generated series is drawn from: the project, its watched bands, the series it defines."""

    project: Project
    bounds: Bounds
    defined: dict[str, Metric | None]
    episodes: dict[str, tuple[int, int]]
    """When each alert fires (its synthetic ALERTS episode)."""
    breaches: dict[str, tuple[int, int]]
    """When each alert's series are past its threshold: from early enough that its range windows fill and its
    `for` passes by the episode's start, as Prometheus would have it pending first, to the episode's end."""
    configured: dict[str, float] = dataclasses.field(default_factory=dict)
    """Unwatched series reported at the one value the alerts' examples give them (a queue's capacity)."""
    log_episodes: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # demo_logs' ALERTS and
    log_breaches: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # lines past the threshold

    def unit(self, name: str) -> str:
        """The unit of a defined or recorded series ('' when it has none)."""
        metric = self.defined.get(name)
        rule = self.project.recording_rules.get(name)
        return metric.unit if metric is not None else rule.unit if rule is not None else ""

    def forecast_input(self, forecast: str) -> Callable[[float], float] | None:
        """The demo values a forecast learns from (the sum of the recorded series its expression reads)."""
        learnt = next((f for f in self.project.all(Forecast) if f.name == forecast), None)
        subject = shown(parse(learnt.expr)) if learnt is not None else None
        if subject is None or subject[0].name not in self.project.recording_rules:
            return None
        usual = dataclasses.replace(self, breaches={})  # a forecast predicts the usual level, not an episode's
        parts = [value for _, _, value in _recorded_series(subject[0].name, usual)]
        return lambda t: sum(part(t) for part in parts)


def timestamps(now: int) -> list[int]:
    """Sample times, oldest first: 5 min spacing from 8 days ago, 30 s from 26 h, 15 s for the last 2 h."""
    return (list(range(now - 8 * DAY, now - 26 * 3600, 300)) + list(range(now - 26 * 3600, now - 7200, 30))
            + list(range(now - 7200, now + 1, 15)))


def _seed(*parts: str) -> float:
    return (zlib.crc32("/".join(parts).encode()) % 1000) / 1000


def _targets(project: Project, source: Source) -> list[tuple[str, str]]:
    return [(job.name, target) for job in project.scrape_jobs if job.source is source for target in job.targets]


def _gauge(name: str, unit: str, labels: dict[str, str], demo: Demo, window: float = 0.0) -> Callable[[float], float]:
    """A gauge inside its watched band; a share of another series (disk available of size) follows that series. A
    recorded series over a range `window` (a rate, a ratio of rates, an average) swings as the average of its
    daily cycle over that window would. A gauge counting things (Metric.whole) holds whole numbers only."""
    counts = bool(getattr(demo.defined.get(name), "whole", False))
    drawn = _drawn(name, unit, labels, demo, window, counts)
    if not counts:
        return drawn
    found = demo.bounds.band(name, "value", labels)
    return whole_valued(drawn, found[0].lower if found else None)


def _drawn(name: str, unit: str, labels: dict[str, str], demo: Demo, window: float,
           counts: bool) -> Callable[[float], float]:
    """_gauge's values before a count is made whole: while an alert on a count past a ceiling fires, it climbs."""
    seed = _seed(name, *labels.values())
    if unit == "seconds" and "timestamp" in name:  # a `*_timestamp_seconds` gauge holds the time it is sampled
        clock: Callable[[float], float] = float    # at, but falls behind by more than an alert allows while it fires
        for alert, band in demo.bounds.firing(name, "age", labels).items():
            clock = behind(clock, demo.breaches.get(alert), breach(band, "seconds"))
        return clock
    share = demo.bounds.band(name, "share", labels)
    if share is not None and share[1] != name:
        whole = _gauge(share[1], demo.unit(share[1]), labels, demo)
        part = level(share[0], unit, share=True).over_day(seed)
        for alert, band in demo.bounds.firing(name, "share", labels).items():
            part = while_firing(part, demo.breaches.get(alert), breach(band, "ratio"))
        return lambda t: whole(t) * part(t)
    found = demo.bounds.band(name, "value", labels)
    if found is None and name in demo.configured:
        return _constant_at(demo.configured[name])
    healthy = averaged(level(found[0] if found else None, unit), window).over_day(seed)
    for alert, band in demo.bounds.firing(name, "value", labels).items():
        past, episode = breach(band, unit), demo.breaches.get(alert)
        healthy = climbing(healthy, episode, math.ceil(past), COUNT_STEP) if counts and band.upper is not None \
            else while_firing(healthy, episode, past)
    return healthy


def _whole(name: str, labels: dict[str, str], demo: Demo, watched_as: str = "") -> tuple[str, dict[str, str]]:
    """The series a counter's series is a part of (for x{status="500"}: x without status; for failed: total)."""
    watched_as = watched_as or name
    whole = {k: v for k, v in labels.items() if k not in demo.bounds.share_labels(watched_as)}
    share = demo.bounds.band(watched_as, "share", labels)
    return (share[1] if share and share[1] != watched_as else name), whole


def _whole_rate(name: str, labels: dict[str, str], demo: Demo, watched_as: str = "") -> float:
    """Mean rate of the whole a counter's series belongs to (for x{status="500"}: x's; for failed: total's);
    watched_as: the series its watchers name, if not `name` (a histogram's `_count`)."""
    counted, whole = _whole(name, labels, demo, watched_as)
    return (1 + 20 * _seed(counted, *whole.values())) * RATE_SCALE.get(demo.unit(counted), 1.0)


def _rate(name: str, labels: dict[str, str], demo: Demo, siblings: int, watched_as: str = "") -> tuple[float, float]:
    """(mean rate, phase) of a counter's labelled series: a failing part (x{status=~"5.."} of x, failed of total)
    runs at its healthy share of the whole's mean, on its own daily phase; a watched rate stays inside its band
    even summed over the metric's `siblings` series. watched_as: as for _whole_rate."""
    watched_as = watched_as or name
    share = demo.bounds.band(watched_as, "share", labels)
    rate = _whole_rate(name, labels, demo, watched_as)
    if share is not None:
        rate *= failing_share(share[0])
    watched = demo.bounds.band(watched_as, "rate", labels)
    if watched is not None:
        rate = min(rate, level(watched[0], "").centre / siblings)
    return rate, _seed(name, *labels.values())


def _failing_bursts(name: str, labels: dict[str, str], demo: Demo, siblings: int,
                    watched_as: str = "") -> Callable[[float], float]:
    """A counter at its healthy rate, counting past the rate or share an alert allows while that alert fires
    (watched_as: as for _whole_rate)."""
    watched_as = watched_as or name
    count = counter(*_rate(name, labels, demo, siblings, watched_as))
    counted, whole_labels = _whole(name, labels, demo, watched_as)
    whole = counter(_whole_rate(name, labels, demo, watched_as), _seed(counted, *whole_labels.values()))
    for alert, band in demo.bounds.firing(watched_as, "rate", labels).items():
        count = burst(count, demo.breaches.get(alert), max(breach(band, ""), 1 / 60))
    for alert, band in demo.bounds.firing(watched_as, "share", labels).items():
        share = breach(band, "ratio")
        if counted == name:  # x{status="500"} of all x: the burst counts in the whole too, s / (1 + s) = share
            share = share / (1 - share)
        count = shared_burst(count, demo.breaches.get(alert), share, whole)
    for alert, band in demo.bounds.firing(watched_as, "usual", labels).items():  # below a share of its usual rate
        count = slowed(count, demo.breaches.get(alert), breach(band, "ratio"))
    return count


def _histogram(metric: Metric, labels: dict[str, str], demo: Demo, siblings: int) -> Iterator[Series]:
    # its watchers count requests (and failing ones, `x_count{status=~"5.."} / x_count`) with the `_count` series;
    # every bucket counts a share of them, so a failing burst of the count shows in its buckets too
    count = _failing_bursts(metric.name, labels, demo, siblings, watched_as=f"{metric.name}_count")
    seed = _seed(metric.name, *labels.values())
    if metric.unit == "seconds":
        scale = 0.8 + 0.4 * seed

        def share(bound: float) -> float:
            return latency_share(bound, scale)
        mean = LATENCY_MEDIAN * scale * math.exp(LATENCY_SPREAD ** 2 / 2)
    else:
        mean = metric.buckets[len(metric.buckets) // 2] if metric.buckets else 1.0

        def share(bound: float) -> float:
            return 1 / (1 + (mean / bound) ** 2)
    for bound in (*histogram_bounds(metric.buckets), math.inf):
        yield f"{metric.name}_bucket", {**labels, "le": "+Inf" if bound == math.inf else f"{bound:g}"}, \
            _scaled(count, 1.0 if bound == math.inf else share(bound))
    yield f"{metric.name}_count", labels, count
    yield f"{metric.name}_sum", labels, _scaled(count, mean)


def _scaled(value: Callable[[float], float], factor: float) -> Callable[[float], float]:
    return lambda t: factor * value(t)


def _metric_series(metric: Metric, jobs: list[tuple[str, str]], demo: Demo) -> Iterator[Series]:
    labelled = list(label_sets(metric.name, metric.labels, jobs, demo.project))
    for labels in labelled:
        if metric.type is MetricType.COUNTER:
            yield metric.name, labels, _failing_bursts(metric.name, labels, demo, len(labelled))
        elif metric.type is MetricType.HISTOGRAM:
            yield from _histogram(metric, labels, demo, len(labelled))
        elif metric.name in FORECAST_EDGES and (learnt := demo.forecast_input(labels.get("forecast", ""))):
            yield metric.name, labels, _scaled(learnt, FORECAST_EDGES[metric.name])
        else:
            yield metric.name, labels, _gauge(metric.name, metric.unit, labels, demo)


def _recorded_series(name: str, demo: Demo, through: frozenset[str] = frozenset()) -> Iterator[Series]:
    """A recorded series' values per label set: computed from what its rule reads where the demo can (demo_derived),
    else drawn at a level (steadier the longer its rule's range windows); `through`: the rules being computed."""
    rule = demo.project.recording_rules[name]
    derived = arithmetic(rule.expr, demo.project.recording_rules) if name not in through else None
    if derived is not None:  # burn rate = error ratio / budget: the input's series, each computed on
        source, value = derived
        for _, labels, of in _recorded_series(source, demo, through | {name}):
            yield name, {**labels, **rule.labels}, _composed(value, of)
        return
    taken = extreme(rule.expr)
    if taken is not None and demo.defined.get(taken.series, 0) is None:  # job:up:max: of the demo's own `up`, per job
        yield from _extreme_series(name, taken, demo)
        return
    inputs = [m for m in demo.project.metrics.values() if any(s in rule.expr for s in m.series_names())]
    jobs = _targets(demo.project, inputs[0].source if inputs else Source.APPLICATION)
    names, static = recorded_labels(demo.project, name, lambda series: getattr(demo.defined.get(series), "labels",
                                                                               None))
    varying = tuple(label for label in names if label not in static)
    sets = ({k: v for k, v in s.items() if k in varying} for s in label_sets(
        rule.expr, tuple(label for label in varying if label not in TARGET), jobs, demo.project))
    unique = {tuple(sorted(s.items())): s for s in sets}
    fixed = constant(parse(rule.expr))  # vector(0.999): an objective
    counted = increase(rule.expr, demo.defined)  # revenue per hour from the revenue counter: they add up
    counters = [(raw, value) for series, raw, value in _metric_series(
        counted.metric, _targets(demo.project, counted.metric.source), demo) if series == counted.series] \
        if counted is not None else []
    if counters:  # one recorded series per group of the counters it sums (a histogram's buckets: one per `le`)
        unique = {tuple((k, raw[k]) for k in varying if k in raw): {k: raw[k] for k in varying if k in raw}
                  for raw, _ in counters}
    for grouped in unique.values():
        label_set = {**grouped, **static}
        if fixed is not None:
            yield name, label_set, _constant_at(fixed)
        elif counted is not None:
            added = _increase([v for raw, v in counters if raw.items() >= grouped.items()], counted.window,
                              counted.offset)
            yield name, label_set, _scaled(added, 1 / counted.window) if counted.per_second else added
        else:
            yield name, label_set, _gauge(name, rule.unit, label_set, demo, max(ranges(rule.expr), default=0.0))


def _extreme_series(name: str, of: Extreme, demo: Demo) -> Iterator[Series]:
    """A max or min by some labels of a synthetic series, computed from the demo's own series of it: the pipeline
    scrapes SLO's job:up:max is 0 only while every target of a job is down, as the rule says."""
    rule = demo.project.recording_rules[name]
    groups: dict[tuple[tuple[str, str], ...], list[Callable[[float], float]]] = {}
    for _, labels, value in _synthetic_series(of.series, demo):
        groups.setdefault(tuple((label, labels[label]) for label in of.by if label in labels), []).append(value)
    pick: Callable[[Iterable[float]], float] = max if of.op == "max" else min
    for group, values in sorted(groups.items()):
        yield name, {**dict(group), **rule.labels}, functools.partial(_picked, pick, values)


def _picked(pick: Callable[[Iterable[float]], float], values: list[Callable[[float], float]], t: float) -> float:
    return pick(value(t) for value in values)


def _composed(outer: Callable[[float], float], inner: Callable[[float], float]) -> Callable[[float], float]:
    return lambda t: outer(inner(t))


def _increase(counters: list[Callable[[float], float]], window: float, offset: float) -> Callable[[float], float]:
    return lambda t: sum(c(t - offset) - c(t - offset - window) for c in counters)


def _constant_at(value: float) -> Callable[[float], float]:
    return lambda t: value


def _down_a_minute_a_day(seed: float) -> Callable[[float], float]:
    """up: 0 for one minute a day, at a time of day set by seed."""
    return lambda t: 0.0 if (t // 60) % 1440 == int(seed * 1440) else 1.0


def episodes(project: Project, now: int) -> dict[str, tuple[int, int]]:
    """(start, end) of each alert's one firing episode, every half hour back from 2 hours ago (inside the last
    day, where samples are 30 s apart and a 5m rate window holds several); Watchdog always. An alert's series are
    past its threshold from its `for` and window before its episode (breaches), so two alerts next to each other
    in definition order that push the same series overlap: PrometheusNotificationErrors (all Alertmanagers
    failing) would hide PrometheusErrorSendingAlertsToSomeAlertmanagers' episode, and is not its neighbour."""
    return {alert.name: (now - 7200 - SPACING * index, now - 7200 - SPACING * index + EPISODE)
            for index, alert in enumerate(project.alerts.values()) if alert.condition != "vector(1)"}


def breaches(project: Project, episodes: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """(start, end) of the time each alert's series are past its threshold (or, for absent(), gone): its `for` and
    its longest range window (or the lookback) before its episode starts, to the episode's end."""
    found = {}
    for name, (start, end) in episodes.items():
        alert = project.alerts[name]
        lead = parse_seconds(alert.for_) + max(ranges(alert.condition), default=0.0) + lookback(alert.condition)
        found[name] = (start - int(lead), end)
    return found


def _synthetic_series(name: str, demo: Demo) -> Iterator[Series]:
    project = demo.project
    for rule in (rule for rule in project.all(LogRecordingRule) if rule.name == name):  # as Loki's ruler writes it
        yield from log_series(rule, project, POOLS, _seed, demo.log_breaches)
        return
    jobs = [(job.name, target) for job in project.scrape_jobs for target in job.targets]
    if name == "ALERTS":
        for alert in project.alerts.values():
            labels = {"alertname": alert.name, "alertstate": "firing", "severity": alert.severity, **alert.labels}
            episode = demo.episodes.get(alert.name)
            yield name, labels, alerting(*episode) if episode else _constant_at(1.0)
        yield from log_alert_series(project, demo.log_episodes)
        return
    for job, instance in jobs:
        labels = {"job": job, "instance": instance}
        seed = _seed(name, job)
        if name == "up":
            down = _down_a_minute_a_day(seed)
            for firing, band in demo.bounds.firing(name, "value", labels).items():  # TargetDown: 0 while it fires,
                past, held = breach(band, ""), demo.breaches.get(firing)  # TargetFlapping: answering some scrapes
                down = while_firing(down, held, past) if past.is_integer() else flapping(down, held, past)
            yield name, labels, down
        else:
            yield name, labels, _gauge(name, "seconds" if name.endswith("seconds") else "", labels, demo)


def series_for(names: set[str], project: Project, now: int) -> list[Series]:
    """Every series to generate for the series names the dashboards read."""
    firing = episodes(project, now)
    demo = Demo(project, watched_bounds(project), defined_series(project), firing, breaches(project, firing))
    logged = log_episodes(project, now)
    demo = dataclasses.replace(demo, configured=configured(project.alerts.values(), demo.unit),
                               log_episodes=logged, log_breaches=log_breaches(project, logged))
    found: list[Series] = []
    families = {demo.defined[n] for n in names if demo.defined.get(n) is not None}
    for metric in sorted(families, key=lambda m: m.name):  # type: ignore[union-attr]
        assert metric is not None
        found += _metric_series(metric, _targets(project, metric.source), demo)
    for name in sorted(names):
        if name in project.recording_rules:
            found += _recorded_series(name, demo)
        elif demo.defined.get(name, 0) is None:
            found += _synthetic_series(name, demo)
    holes = gaps(project, demo.breaches)
    return [(name, labels, gapped(name, labels, value, holes)) for name, labels, value in found]
