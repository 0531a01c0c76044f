"""Build profiles: the same project compiled for a test or a live demo, never for out/."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from generator.model import Alert, AlertingConfig, EscalationPolicy, ScrapeJob, Stack
from generator.model.duration import scale
from generator.project import Project


@dataclass(frozen=True)
class Profile:
    """Overrides applied to a loaded project before the targets run."""

    time_scale: float = 1.0
    """Multiplies every `for`, cooldown, repeat interval and escalation delay (1/60: an hour in a minute)."""
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

    @property
    def is_default(self) -> bool:
        """Whether this profile changes nothing (the build of out/)."""
        return self == Profile()


def _scaled(project: Project, factor: float) -> tuple[object, ...]:
    objects: list[object] = []
    for obj in project.objects:
        if isinstance(obj, Alert):
            obj = obj.model_copy(update={"for_": scale(obj.for_, factor)})
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
        objects.append(obj)
    return tuple(objects)


def apply(project: Project, profile: Profile) -> Project:
    """The project as the profile asks to compile it."""
    if profile.is_default:
        return project
    objects: list[object | None] = list(_scaled(project, profile.time_scale) if profile.time_scale != 1.0
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
    kept = tuple(obj for obj in objects if obj is not None)
    return dataclasses.replace(
        project,
        objects=kept,  # type: ignore[arg-type]
        stack=next(o for o in kept if isinstance(o, Stack)),
        alerting=next(o for o in kept if isinstance(o, AlertingConfig)),
        profile=profile,
    )
