"""A webhook channel posts to PagerDuty: it is sent through PagerDuty's Events API v2 instead.

PagerDuty does not accept Alertmanager's webhook JSON (its Events API v1 URL
`generic/2010-04-15/create_event.json` wants its own v1 body, v2 `/v2/enqueue` its v2 body): a plain webhook to a
PagerDuty URL would be answered 400 and page nobody. A WebhookChannel whose URL is on pagerduty.com becomes a
`pagerduty_configs` receiver (Events API v2), its `credentials_file` read as the integration's routing key, its
events carrying obsgen's summary, the host, and a severity PagerDuty accepts.

Fix: nothing to fix; to say it plainly, define a `PagerDutyChannel(name=..., routing_key_file=...)` instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import WebhookChannel

CODE = "MP011"
NAME = "pagerduty-webhook"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    for channel in context.project.all(WebhookChannel):
        if channel.is_pagerduty:
            yield Finding(channel, f"channel {channel.name}: {channel.url} is PagerDuty's, which does not take "
                                   "Alertmanager's webhook JSON; mapped to pagerduty_configs (Events API v2) with "
                                   f"routing_key_file {channel.credentials_file}", ("url",))
