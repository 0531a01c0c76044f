"""Severities, alerts and escalation levels notify channels that are defined.

A channel name is resolved to an Alertmanager receiver; an unknown one would leave the route without the
receiver people expect to be told.

Fix: define the channel (EmailChannel, SlackChannel, WebhookChannel, PagerDutyChannel), or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, Use, unknown_names
from generator.core.errors import Level
from generator.model import Channel

CODE = "XR005"
NAME = "unknown-channel"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    uses: list[Use] = []
    for s, severity in enumerate(project.alerting.severities):
        uses += [(project.alerting, ("severities", s, "channels", c), name, "")
                 for c, name in enumerate(severity.channels)]
    for alert in project.alerts.values():
        uses += [(alert, ("channels", c), name, "") for c, name in enumerate(alert.channels)]
    for policy in project.escalation_policies.values():
        for level_number, level in enumerate(policy.levels):
            uses += [(policy, ("levels", level_number, "channels", c), name, "")
                     for c, name in enumerate(level.channels)]
    return unknown_names(context, Channel, "channel", project.channels, uses)
