"""An alert climbs an escalation policy its severity does not have.

A severity says whether its alerts escalate (`Severity(escalation="default")`): the plan escalates unresolved
incidents, and a warning or an info is not one. An alert naming a policy its severity does not climb reaches,
after the policy's delays, the people and pagers of its top levels: a conversion-rate warning, meant for an
email, pages the director after an hour.

    Severity(name="warning", channels=("email",), cooldown=300)                      # no escalation
    Alert(name="ConversionRateLow", severity="warning", escalation="default", ...)   # climbs to PagerDuty

Fix: drop `escalation=` (the alert then stays with its severity's channels), raise the alert's severity, or, when
this one alert must climb, keep it and say why: `# obsgen: disable=NT001 <reason>`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level

CODE = "NT001"
NAME = "warning-with-escalation"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for alert in project.alerts.values():
        severity = project.alerting.severity(alert.severity)
        policy = project.escalation_policies.get(alert.escalation or "")
        if severity is None or policy is None or severity.escalation:
            continue
        top = policy.levels[-1]
        yield Finding(alert, f"alert {alert.name}: severity {severity.name} does not escalate, but the alert climbs "
                             f"escalation policy {policy.name}: after {top.after} it reaches {', '.join(top.channels)}",
                      ("escalation",))
