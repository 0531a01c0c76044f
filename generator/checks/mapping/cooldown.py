"""A severity's cooldown is mapped onto Alertmanager's route timings.

Alertmanager has no "cooldown": a severity's route gets `group_wait` (how soon the first notification goes),
`group_interval` (how soon news about the group goes) and `repeat_interval` (how soon an unchanged alert is said
again). A cooldown of 0 ("immediate") becomes `group_wait: 0s`, never `repeat_interval: 0` (invalid).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model.notify import route_timing

CODE = "MP001"
NAME = "cooldown"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    alerting = context.project.alerting
    for number, severity in enumerate(alerting.severities):
        wait, interval, repeat = route_timing(severity)
        yield Finding(alerting, f"severity {severity.name}: cooldown {severity.cooldown} has no Alertmanager field; "
                                f"mapped to group_wait {wait}, group_interval {interval}, repeat_interval {repeat}",
                      ("severities", number))
