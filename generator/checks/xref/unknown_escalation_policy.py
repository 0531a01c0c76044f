"""Alerts escalate along a defined escalation policy.

An alert's `escalation` names the EscalationPolicy whose levels it climbs while unresolved; an unknown name would
leave it without the escalation its authors meant.

Fix: define the policy, or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, unknown_names
from generator.core.errors import Level
from generator.model import EscalationPolicy

CODE = "XR006"
NAME = "unknown-escalation-policy"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    uses = [(alert, ("escalation",), alert.escalation, f"alert {alert.name}: ")
            for alert in context.project.alerts.values() if alert.escalation]
    return unknown_names(context, EscalationPolicy, "escalation policy", context.project.escalation_policies, uses)
