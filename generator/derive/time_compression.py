"""Time compression and other build profiles applied to a loaded project (a test's or a live demo's build)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from generator.core.duration import format_seconds, parse_seconds, scale
from generator.core.promql import absence_asked, rescale_ranges
from generator.model import Alert, AlertingConfig, EscalationPolicy, Forecast, RecordingRule, ScrapeJob, Stack
from generator.model.profile import Profile
from generator.model.project import Project


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
            # an absent() alert's `for` outlasts a failed scrape and a start's first one, which do not scale
            held = window(obj.for_) if absence_asked(obj.condition) else scale(obj.for_, factor)
            update: dict[str, object] = {"for_": held,
                                         "keep_firing_for": scale(obj.keep_firing_for, factor)}
            if obj.heartbeat is not None:
                update["heartbeat"] = scale(obj.heartbeat, factor)
            if obj.expr:
                update["expr"] = rescale_ranges(obj.expr, window, shift)
            obj = obj.model_copy(update=update)
        elif isinstance(obj, RecordingRule):
            obj = obj.model_copy(update={"expr": rescale_ranges(obj.expr, window, shift)})
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
            if profile.alertmanager_version:
                update["alertmanager_version"] = profile.alertmanager_version
            objects[index] = obj.model_copy(update=update)
        elif isinstance(obj, ScrapeJob) and profile.targets:
            objects[index] = (
                obj.model_copy(update={"targets": profile.targets[obj.name]}) if obj.name in profile.targets else None
            )
    kept = (*(obj for obj in objects if obj is not None), *profile.scrape_jobs)
    return dataclasses.replace(with_objects(project, kept), profile=profile)


def with_objects(project: Project, objects: tuple[object, ...]) -> Project:
    """The project holding these objects instead, its indexes rebuilt."""
    return dataclasses.replace(
        project,
        objects=objects,  # type: ignore[arg-type]
        recording_rules={obj.name: obj for obj in objects if isinstance(obj, RecordingRule)},
        stack=next(o for o in objects if isinstance(o, Stack)),
        alerting=next(o for o in objects if isinstance(o, AlertingConfig)),
    )
