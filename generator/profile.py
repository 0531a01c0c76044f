"""Build profiles: the same project compiled for a test or a live demo, never for out/."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.model import Alert, AlertingConfig, EscalationPolicy, Forecast, RecordingRule, ScrapeJob, Stack
from generator.model.duration import format_seconds, parse_seconds, scale
from generator.project import Project
from generator.promql import rescale_ranges


@dataclass(frozen=True)
class Profile:
    """Overrides applied to a loaded project before the targets run."""

    time_scale: float = 1.0
    """Multiplies every `for`, cooldown, repeat interval, escalation delay, PromQL range and forecast step,
    season, history, horizon and interval (1/60: hour -> minute)."""
    range_floor: str = "20s"
    """Shortest a scaled range window becomes: a rate needs several scrapes, and Alertmanager retries a
    failed notification no faster than its 10 s minimum group_interval, which does not scale."""
    scrape_interval: str = ""
    """Replaces the scrape and evaluation intervals when set."""
    sink_url: str = ""
    """When set, every Slack, webhook and PagerDuty channel posts to f"{sink_url}/{channel}" instead."""
    smtp_smarthost: str = ""
    """When set, email goes to this host:port without TLS or auth (a local sink)."""
    alertmanagers: tuple[str, ...] = ()
    """Replaces the Alertmanager addresses Prometheus sends to."""
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Replaces scrape targets per job; jobs not named are dropped when this is set."""
    scrape_jobs: tuple[ScrapeJob, ...] = ()
    """Jobs added for a demo (a simulated host, say); never part of the definitions."""

    @property
    def is_default(self) -> bool:
        """Whether this profile changes nothing (the build of out/)."""
        return self == Profile()


def _window(profile: Profile) -> Callable[[str], str]:
    """Maps a range window to compressed time, never below the floor nor above the original."""
    floor = parse_seconds(profile.range_floor)

    def window(duration: str) -> str:
        seconds = parse_seconds(duration)
        return format_seconds(min(seconds, max(parse_seconds(scale(duration, profile.time_scale)), floor)))
    return window


def _scaled(project: Project, profile: Profile) -> tuple[object, ...]:
    factor = profile.time_scale
    window, shift = _window(profile), lambda duration: scale(duration, factor)
    objects: list[object] = []
    for obj in project.objects:
        if isinstance(obj, Alert):
            update: dict[str, object] = {"for_": scale(obj.for_, factor)}
            if obj.expr:
                update["expr"] = rescale_ranges(obj.expr, window, shift)
            obj = obj.model_copy(update=update)
        elif isinstance(obj, RecordingRule):
            obj = obj.model_copy(update={"expr": rescale_ranges(obj.expr, window, shift)})
        elif isinstance(obj, EscalationPolicy):
            levels = tuple(lvl.model_copy(update={"after": scale(lvl.after, factor)}) for lvl in obj.levels)
            obj = obj.model_copy(update={"levels": levels})
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
            objects[index] = obj.model_copy(update=update)
        elif isinstance(obj, ScrapeJob) and profile.targets:
            objects[index] = (
                obj.model_copy(update={"targets": profile.targets[obj.name]}) if obj.name in profile.targets else None
            )
    kept = (*(obj for obj in objects if obj is not None), *profile.scrape_jobs)
    return dataclasses.replace(
        project,
        objects=kept,  # type: ignore[arg-type]
        recording_rules={obj.name: obj for obj in kept if isinstance(obj, RecordingRule)},
        stack=next(o for o in kept if isinstance(o, Stack)),
        alerting=next(o for o in kept if isinstance(o, AlertingConfig)),
        profile=profile,
    )
