"""A severity reaches PagerDuty, which has no value for it.

PagerDuty's Events API v2 takes a `payload.severity` of critical, error, warning or info, and answers 400 to
anything else: the page is lost, and Alertmanager only logs the failure. obsgen sends each severity as PagerDuty
knows it, its own name when PagerDuty has it, else its `pagerduty_severity`; a severity with neither that reaches a
PagerDuty channel (through its own channels, an alert's, or an escalation level its alerts climb) has nothing to
send.

    Severity(name="emergency", channels=("email", "pagerduty"), cooldown=0)   # PagerDuty has no "emergency"

Fix: say what it is to PagerDuty: `Severity(name="emergency", ..., pagerduty_severity="critical")`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import Severity
from generator.model.notify import PAGERDUTY_SEVERITIES
from generator.model.project import Project

CODE = "NT002"
NAME = "unsendable-severity"
LEVEL = Level.ERROR


def _reached(project: Project, severity: Severity) -> set[str]:
    """Channels a severity's alerts reach: its own, its alerts', and the levels of the policies they climb."""
    reached = set(severity.channels)
    policies = [project.escalation_policies.get(severity.escalation)]
    for alert in project.alerts.values():
        if alert.severity == severity.name:
            reached.update(alert.channels)
            policies.append(project.escalation_of(alert))
    reached.update(channel for policy in policies if policy for level in policy.levels for channel in level.channels)
    return reached


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for number, severity in enumerate(project.alerting.severities):
        if severity.pagerduty is not None:
            continue
        pagers = sorted(name for name in _reached(project, severity)
                        if name in project.channels and project.channels[name].is_pagerduty)
        if pagers:
            yield Finding(project.alerting, f"severity {severity.name} reaches PagerDuty (channel "
                                            f"{', '.join(pagers)}), whose events take only "
                                            f"{', '.join(PAGERDUTY_SEVERITIES)}: set pagerduty_severity",
                          ("severities", number))
