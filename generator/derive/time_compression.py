"""Time compression and other build profiles applied to a loaded project (a test's or a live demo's build).

Durations shrink by the profile's time scale, but what does not compress (a scrape, a failed one, a Prometheus
start's first scrape five seconds after service discovery, Alertmanager's 10 s group_interval) bounds them from
below: a range window never shrinks under the range floor, nor an absent() alert's `for` (its 2m would be 2 s, over
before a start's first scrape, and the live stack would page every SLO's inputs absent as it starts).

Every alert's `for` goes through one map, `held`, because alerts are paired by the order of their `for`s: an SLO's
absent page (2m) mutes TargetDown (10m) of its inputs' jobs and must come first (derive/slo/target_down.py, SM009).
Flooring the absent alert alone turned 2m into 20 s against TargetDown's 10 s, and the live demo told a dead
service twice. Flooring every `for` (max(scaled, floor)) keeps no order either: 2m and 10m would tie at 20 s and
race. So `held` is strictly increasing and continuous past 0: a `for` whose scaled value reaches twice the floor
is scaled as is (an hour is a minute at 60x, so escalation and latency figures above 40 s keep their meaning);
below that it is the floor plus half its scaled value (2m -> 21 s, 10m -> 25 s, 15m -> 27.5 s at 60x), so the
gaps between `for`s keep half their compressed length and none is lost to rounding (milliseconds are kept); 0s
stays 0s, and no `for` becomes longer than the definitions' own. The price is that a short `for` fires later
in compressed time than a straight 60x would say (CpuHigh's 5m after 22.5 s, not 5 s).

Imported rule sets (RuleSet) and log rules go through the same maps as obsgen's own alerts and recording rules,
so an imported 15m `for` keeps its place among obsgen's `for`s instead of staying 15 real minutes. Log alerts and
log recording rules (LogQL: the same `[5m]` ranges and `offset`s) are compressed although the live stack runs no
Loki (live/stack.py starts Prometheus, Alertmanager, node-exporter, sinks and the exporter), because a compressed
`obsgen build --time-scale` writes Loki's rule files with the rest, which would otherwise keep real-time `for`s.

Prometheus' 5 min lookback does not compress, which an absent() alert does not notice in a live stack: a dead
target's failed scrape writes staleness markers for its series, and absent() is true at the next evaluation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from generator.core import logql
from generator.core.duration import format_seconds, parse_seconds, scale
from generator.core.errors import DefinitionError
from generator.core.promql import PromQLError, rescale_ranges
from generator.derive.job_missing import over_jobs
from generator.model import (
    Alert,
    AlertingConfig,
    EscalationPolicy,
    ExporterSettings,
    Forecast,
    ImportedAlert,
    LogAlert,
    LogRecordingRule,
    RecordingRule,
    RuleSet,
    ScrapeJob,
    Stack,
)
from generator.model.profile import Profile
from generator.model.project import Project


def _window(profile: Profile) -> Callable[[str], str]:
    """Maps a range window to compressed time, never below the floor nor above the original."""
    floor = parse_seconds(profile.range_floor)

    def window(duration: str) -> str:
        seconds = parse_seconds(duration)
        return format_seconds(min(seconds, max(parse_seconds(scale(duration, profile.time_scale)), floor)))
    return window


def _shift(profile: Profile) -> Callable[[str], str]:
    """Maps an offset, a subquery step or a group interval to compressed time: scaled, with no floor."""
    return lambda duration: scale(duration, profile.time_scale)


def held(profile: Profile) -> Callable[[str], str]:
    """Maps an alert's `for` to compressed time, keeping the order of every two (see the module's docstring)."""
    floor, factor = parse_seconds(profile.range_floor), profile.time_scale

    def compressed(duration: str) -> str:
        seconds = parse_seconds(duration)
        if seconds == 0 or seconds * factor >= 2 * floor:
            return format_seconds(seconds * factor)
        return format_seconds(min(seconds, floor + seconds * factor / 2))
    return compressed


def _rule_set(rule_set: RuleSet, profile: Profile) -> RuleSet:
    """The imported rules through the maps obsgen's own alerts and recording rules go through: an imported `for`
    keeps its order among every other (held), its ranges shrink as theirs do. A group's `interval` is scaled like
    an offset (its rules run as often, in compressed time, as the source says); query_offset is not: it waits for
    samples that arrive late in real time (remote write, a slow exporter), which does not compress."""
    window, shift, hold = _window(profile), _shift(profile), held(profile)
    groups = []
    for group in rule_set.groups:
        rules = []
        for rule in group.rules:
            try:
                update: dict[str, object] = {"expr": rescale_ranges(rule.expr, window, shift)}
            except PromQLError as error:
                raise DefinitionError(rule_set.location, f"rule set {rule_set.name}, rule {rule.name}: "
                                                         f"cannot compress its ranges: {error}") from None
            if isinstance(rule, ImportedAlert):
                if rule.for_ is not None:
                    update["for_"] = hold(rule.for_)
                if rule.keep_firing_for is not None:
                    update["keep_firing_for"] = shift(rule.keep_firing_for)
            rules.append(rule.model_copy(update=update))
        interval = None if group.interval is None else shift(group.interval)
        groups.append(group.model_copy(update={"rules": tuple(rules), "interval": interval}))
    return rule_set.model_copy(update={"groups": tuple(groups)})


def _log_rule(rule: LogAlert | LogRecordingRule, profile: Profile) -> LogAlert | LogRecordingRule:
    """A log alert or recording rule through the maps of obsgen's Prometheus ones (see the module's docstring)."""
    try:
        expr = logql.rescale_ranges(rule.expr, _window(profile), _shift(profile))
    except logql.LogQLError as error:
        raise DefinitionError(rule.location, f"{rule.name}: cannot compress its ranges: {error}") from None
    update: dict[str, object] = {"expr": expr}
    if isinstance(rule, LogAlert):
        update["for_"] = held(profile)(rule.for_)
    return rule.model_copy(update=update)


def _scaled(project: Project, profile: Profile) -> tuple[object, ...]:
    factor = profile.time_scale
    window, shift, hold = _window(profile), _shift(profile), held(profile)
    objects: list[object] = []
    for obj in project.objects:
        if isinstance(obj, Alert):
            update: dict[str, object] = {"for_": hold(obj.for_),
                                         "keep_firing_for": scale(obj.keep_firing_for, factor)}
            if obj.heartbeat is not None:
                update["heartbeat"] = scale(obj.heartbeat, factor)
            if obj.expr:
                update["expr"] = rescale_ranges(obj.expr, window, shift)
            obj = obj.model_copy(update=update)
        elif isinstance(obj, RecordingRule):
            obj = obj.model_copy(update={"expr": rescale_ranges(obj.expr, window, shift)})
        elif isinstance(obj, RuleSet):
            obj = _rule_set(obj, profile)
        elif isinstance(obj, LogAlert | LogRecordingRule):
            obj = _log_rule(obj, profile)
        elif isinstance(obj, EscalationPolicy):
            levels = tuple(lvl.model_copy(update={"after": scale(lvl.after, factor)}) for lvl in obj.levels)
            obj = obj.model_copy(update={
                "levels": levels, "flap_tolerance": scale(obj.flap_tolerance, factor),
                "cooldown": scale(obj.cooldown, factor), "repeat_interval": scale(obj.repeat_interval, factor)})
        elif isinstance(obj, AlertingConfig):
            severities = tuple(
                s.model_copy(update={"cooldown": scale(s.cooldown, factor),
                                     "repeat_interval": scale(s.repeat_interval, factor)})
                for s in obj.severities
            )
            obj = obj.model_copy(update={"severities": severities})
        elif isinstance(obj, Forecast):  # queried and scheduled in real time, learnt in the definitions' time
            update = {name: scale(getattr(obj, name), factor) for name in ("step", "history", "horizon", "interval")}
            if obj.season is not None:
                update["season"] = scale(obj.season, factor)
            obj = obj.model_copy(update={**update, "time_scale": obj.time_scale / factor})
        objects.append(obj)
    return tuple(objects)


def apply(project: Project, profile: Profile) -> Project:
    """The project as the profile asks to compile it."""
    if profile.is_default:
        return project
    objects: list[object | None] = list(_scaled(project, profile) if profile.time_scale != 1.0
                                        else project.objects)
    for index, obj in enumerate(objects):
        if isinstance(obj, Stack):
            update: dict[str, object] = {}
            if profile.scrape_interval:
                update |= {"scrape_interval": profile.scrape_interval, "evaluation_interval": profile.scrape_interval}
            if profile.alertmanagers:
                update["alertmanagers"] = profile.alertmanagers
            # the releases a demo runs, and where its own servers answer
            update |= {name: getattr(profile, name) for name in ("alertmanager_version", "prometheus_version",
                                                                  "alertmanager_url", "prometheus_url", "grafana_url")
                       if getattr(profile, name)}
            objects[index] = obj.model_copy(update=update)
        elif isinstance(obj, ScrapeJob) and profile.targets:
            objects[index] = (
                obj.model_copy(update={"targets": profile.targets[obj.name]}) if obj.name in profile.targets else None
            )
    exporter = {name: value for name, value in (("listen", profile.exporter_listen),
                                                 ("prometheus_url", profile.prometheus_url)) if value}
    if exporter:  # the declared settings (or the defaults) where a demo runs its exporter, reading its Prometheus
        settings = project.exporter.model_copy(update=exporter)
        objects = [obj for obj in objects if not isinstance(obj, ExporterSettings)] + [settings]
    kept = [*(obj for obj in objects if obj is not None), *profile.scrape_jobs]
    # an alert over every scrape job (JobMissing) asks about the jobs Prometheus is told to scrape here, no other;
    # a profile keeping no job leaves it nothing to watch, and is refused naming the alert
    kept = over_jobs(kept, [obj for obj in kept if isinstance(obj, ScrapeJob)])
    return dataclasses.replace(with_objects(project, tuple(kept)), profile=profile)


def with_objects(project: Project, objects: tuple[object, ...]) -> Project:
    """The project holding these objects instead, its indexes rebuilt."""
    return dataclasses.replace(
        project,
        objects=objects,  # type: ignore[arg-type]
        recording_rules={obj.name: obj for obj in objects if isinstance(obj, RecordingRule)},
        stack=next(o for o in objects if isinstance(o, Stack)),
        alerting=next(o for o in objects if isinstance(o, AlertingConfig)),
    )
