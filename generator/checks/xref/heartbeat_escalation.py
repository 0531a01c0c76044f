"""A heartbeat alert's severity climbs an escalation policy.

A heartbeat (`Alert(heartbeat="5m")`, the Watchdog) fires always, by design: its own route pings the dead man's
switch, which notices a silence. Given a severity that escalates, it would get a copy per level of the policy,
every one always firing and sent by its route to the switch, never to the level's channels, while its runbook's
escalation table says that level 1 tells the team lead, and so on. Escalating what always fires means nothing.
An alert's own `escalation=` on a heartbeat is refused where it is written (LD002); this is the same refusal
where the policy comes from the severity, which the alert's model cannot see.

    Severity(name="critical", channels=("email",), cooldown=60, escalation="default")
    Alert(name="Watchdog", expr="vector(1)", severity="critical", heartbeat="5m", ...)   # 1 copy per level

Fix: say the heartbeat does not escalate, `escalation=""`, or give it a severity that does not (the shipped
Watchdog's is `info`).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level

CODE = "XR026"
NAME = "heartbeat-escalation"
LEVEL = Level.ERROR
SWITCHABLE = False  # as LD002's refusal of an alert's own escalation= on a heartbeat: nothing it writes is of use


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for alert in project.alerts.values():
        policy = project.escalation_of(alert)
        if alert.heartbeat is None or policy is None:
            continue
        yield Finding(alert, f"heartbeat alert {alert.name} always fires, by design: its severity {alert.severity} "
                             f"climbs escalation policy {policy.name}, whose always-firing copies (one per level, "
                             f"{len(policy.levels)}) would ping the dead man's switch, not the levels' channels; "
                             "give it escalation='' (or a severity that does not escalate)", ("severity",))
