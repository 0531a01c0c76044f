"""Severities and alerts escalate along a defined escalation policy.

A severity's `escalation` names the EscalationPolicy its alerts climb while unresolved, and an alert's own
`escalation` overrides it; an unknown name would leave them without the escalation their authors meant.

Fix: define the policy, or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, Use, unknown_names
from generator.core.errors import Level
from generator.model import EscalationPolicy, LogAlert

CODE = "XR006"
NAME = "unknown-escalation-policy"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    uses: list[Use] = [(project.alerting, ("severities", number, "escalation"), severity.escalation,
                        f"severity {severity.name}: ")
                       for number, severity in enumerate(project.alerting.severities) if severity.escalation]
    uses += [(alert, ("escalation",), alert.escalation, f"alert {alert.name}: ")
             for alert in (*project.alerts.values(), *project.all(LogAlert)) if alert.escalation]
    return unknown_names(context, EscalationPolicy, "escalation policy", project.escalation_policies, uses)
