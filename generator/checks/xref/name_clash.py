"""A name means one thing across kinds that share a namespace downstream.

A log alert (Loki's ruler) named like a Prometheus alert, or a LogQL recording rule named like a PromQL one,
would be indistinguishable in Alertmanager and Prometheus. (A recording rule cannot take an exported metric's
name: recording rules have colons, metrics none.)

Fix: rename one of the two.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import LogAlert, LogRecordingRule

CODE = "XR003"
NAME = "name-clash"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for alert in project.all(LogAlert):
        if alert.name in project.alerts:
            yield Finding(alert, f"log alert {alert.name} has the name of the Prometheus alert at "
                                 f"{project.alerts[alert.name].location}", ("name",))
    for log_rule in project.all(LogRecordingRule):
        if log_rule.name in project.recording_rules:
            yield Finding(log_rule, f"LogQL recording rule {log_rule.name} has the name of a PromQL one", ("name",))
