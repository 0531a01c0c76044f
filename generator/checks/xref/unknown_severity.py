"""Alerts name a severity the AlertingConfig declares.

The severity label picks the alert's Alertmanager route (its channels and cooldown); an undeclared one reaches
only the root route, whose receiver is nobody. Applies to Alerts, LogAlerts and AlertOverrides.

    Alert(name="CpuHigh", severity="critcal", ...)
    # error: ... unknown severity 'critcal'; did you mean 'critical'?

Fix: use a declared severity, or declare it in the AlertingConfig.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, unknown_names
from generator.core.errors import Level
from generator.model import Alert, AlertingConfig, AlertOverride, LogAlert

CODE = "XR004"
NAME = "unknown-severity"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    named: list[Alert | LogAlert | AlertOverride] = [*project.all(Alert), *project.all(LogAlert),
                                                      *project.all(AlertOverride)]
    uses = [(obj, ("severity",), obj.severity, "") for obj in named if obj.severity is not None]
    return unknown_names(context, AlertingConfig, "severity", [s.name for s in project.alerting.severities], uses)
