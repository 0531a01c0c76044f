"""A severity's cooldown that Alertmanager's route timings cannot keep as declared.

Alertmanager has no "cooldown": a severity's route gets `group_wait` (how soon the first notification goes, the
cooldown up to 10 s), `group_interval` (how soon news about the group goes: the cooldown) and `repeat_interval` (how
soon an unchanged alert is said again). A cooldown of 0 ("immediate") becomes `group_wait: 0s`, never
`repeat_interval: 0` (invalid). docs/configuration.md's table gives the mapping; where it is one-to-one (a cooldown
of 0 or of 10 s and more, a repeat_interval no shorter than the cooldown nor 10 s) nothing is said on each build.
Where it is not, the warning says what the route does instead: a cooldown under 10 s becomes a `group_interval` of
10 s (Alertmanager's floor here), so news about a group comes less often than asked; a `repeat_interval` shorter
than the route's `group_interval` (the cooldown, or that floor) is raised to it.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.duration import parse_seconds
from generator.core.errors import Level
from generator.model.notify import MIN_GROUP_INTERVAL, route_timing

CODE = "MP001"
NAME = "cooldown"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    alerting = context.project.alerting
    for number, severity in enumerate(alerting.severities):
        wait, interval, repeat_said = route_timing(severity)  # the mapping itself: what differs is said
        cooldown, repeat = parse_seconds(severity.cooldown), parse_seconds(severity.repeat_interval)
        if 0 < cooldown != parse_seconds(interval):
            why = f"Alertmanager's group_interval is at least {MIN_GROUP_INTERVAL:g}s here"
        elif repeat != parse_seconds(repeat_said):
            why = (f"repeat_interval {severity.repeat_interval} is shorter than the cooldown" if repeat < cooldown else
                   f"repeat_interval {severity.repeat_interval} is shorter than Alertmanager's group_interval "
                   f"{interval}")
        else:
            continue
        yield Finding(alerting, f"severity {severity.name}: cooldown {severity.cooldown} has no Alertmanager field "
                                f"that keeps it ({why}); mapped to group_wait {wait}, group_interval {interval}, "
                                f"repeat_interval {repeat_said}", ("severities", number))
