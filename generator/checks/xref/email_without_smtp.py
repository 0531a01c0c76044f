"""Email channels have an SMTP relay to send through.

Alertmanager sends email through the relay AlertingConfig.smtp declares; without one, amtool refuses the
configuration (no smarthost) and no notification of the channel would ever leave.

Fix: `AlertingConfig(smtp=Smtp(smarthost="smtp.example.com:587", sender="alertmanager@example.com"))`, its
password by `auth_password_file`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import EmailChannel

CODE = "XR020"
NAME = "email-without-smtp"
LEVEL = Level.ERROR
SWITCHABLE = False  # the Alertmanager target relies on it


def check(context: Context) -> Iterator[Finding]:
    if context.project.alerting.smtp is None:
        for channel in context.project.all(EmailChannel):
            yield Finding(channel, f"email channel {channel.name} needs SMTP settings: "
                                   "AlertingConfig(smtp=Smtp(smarthost=..., sender=...))")
