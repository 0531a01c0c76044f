"""Alertmanager receivers: each channel as the integration its service accepts, with obsgen's templates.

PagerDuty is always reached through its Events API v2 (`pagerduty_configs`), also when a definition names it
with a plain webhook, since PagerDuty does not accept Alertmanager's webhook JSON. Under a live profile every
integration posts to the local sink instead, in its own format (PagerDuty's events, Slack's messages), at
f"{sink_url}/{channel}" (PagerDuty: .../v2/enqueue, Slack: .../<slack channel>).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from generator.model import Channel, EmailChannel, PagerDutyChannel, SlackChannel, WebhookChannel
from generator.model.identity import receiver_name
from generator.model.project import Project

PAGERDUTY_EVENTS_PATH = "/v2/enqueue"
"""Where PagerDuty's Events API v2 takes events (on events.pagerduty.com, or events.eu.pagerduty.com)."""
LISTED_ALERTS = 10
"""Alerts a notification lists before "and K more": 10 of the longest shipped texts (~450 characters) stay far
under Slack's 40,000 characters, Gmail's 102 KB and PagerDuty's 512 KB, and are what a person reads anyway."""
LISTED_NAMES = 3
"""Alert names a notification's title lists before "+K more" (a group of several names: a dead job's SLIAbsent pages).
The title is Slack's attachment title and fallback, an email's subject and PagerDuty's summary, which PagerDuty's
Events API v2 holds to 1024 characters (Alertmanager cuts it there, with the firing alerts' summaries after the
title, obsgen.firing.summaries): three names of ~40 characters leave room for the labels and the first summary, and a
title stays one line."""


def _sink(project: Project, channel: Channel) -> str:
    profile = project.profile
    return f"{profile.sink_url}/{channel.name}" if profile is not None and profile.sink_url else ""


def _email(channel: EmailChannel) -> dict[str, Any]:
    return {
        "to": ", ".join(channel.to),
        "send_resolved": channel.send_resolved,
        "headers": {"Subject": '{{ template "obsgen.email.subject" . }}'},
        "html": '{{ template "obsgen.email.html" . }}',
        "text": '{{ template "obsgen.text" . }}',
    }


def _webhook(channel: WebhookChannel, sink: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": sink or channel.url, "send_resolved": channel.send_resolved}
    if channel.credentials_file and not sink:
        entry["http_config"] = {"authorization": {"credentials_file": channel.credentials_file}}
    return entry


def _pagerduty(project: Project, channel: PagerDutyChannel | WebhookChannel, sink: str) -> dict[str, Any]:
    key_file = channel.routing_key_file if isinstance(channel, PagerDutyChannel) else channel.credentials_file
    entry: dict[str, Any] = {"routing_key_file": key_file}
    if sink:
        profile = project.profile
        entry = {"url": sink + PAGERDUTY_EVENTS_PATH,
                 "routing_key_file": (profile.sink_routing_key_file if profile is not None else "") or key_file}
    elif isinstance(channel, WebhookChannel):
        host = urlsplit(channel.url).hostname or ""
        if host.startswith("events.") and host != "events.pagerduty.com":  # a regional endpoint (events.eu.)
            entry["url"] = f"https://{host}{PAGERDUTY_EVENTS_PATH}"
    return entry | {
        "send_resolved": channel.send_resolved,
        "severity": '{{ template "obsgen.pagerduty.severity" . }}',
        "description": '{{ template "obsgen.pagerduty.description" . }}',
        "source": '{{ template "obsgen.source" . }}',
        "class": '{{ template "obsgen.alertnames" . }}',
        "details": {
            "firing": '{{ template "obsgen.pagerduty.firing" . }}',
            "resolved": '{{ template "obsgen.pagerduty.resolved" . }}',
            "acknowledge": '{{ template "obsgen.ack.command" . }}',
        },
        # links, not details: PagerDuty shows them as links, and drops details first when an event is too big
        "links": [
            {"href": '{{ template "obsgen.runbook.url" . }}', "text": "Runbook"},
            {"href": '{{ template "obsgen.dashboard.url" . }}',
             "text": "{{ if (index .Alerts 0).Annotations.dashboard_url }}Dashboard panel{{ else }}Grafana{{ end }}"},
            {"href": '{{ template "obsgen.ack.url" . }}', "text": "Silence it in Alertmanager"},
        ],
    }


def _slack(channel: SlackChannel, slack_channel: str, webhook_file: str, sink: str) -> dict[str, Any]:
    entry: dict[str, Any] = ({"api_url": f"{sink}/{slack_channel.lstrip('#@')}"} if sink
                             else {"api_url_file": webhook_file})
    return entry | {
        "channel": slack_channel,
        "send_resolved": channel.send_resolved,
        "title": '{{ template "obsgen.slack.title" . }}',
        "title_link": '{{ template "obsgen.dashboard.link" .Alerts }}',
        "fallback": '{{ template "obsgen.slack.title" . }}',
        "text": '{{ template "obsgen.slack.text" . }}',
        "color": '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
    }


def integrations(project: Project, channel: Channel) -> list[tuple[str, dict[str, Any]]]:
    """(receiver field, config entry) of each integration a channel becomes (a Slack channel each for Slack)."""
    sink = _sink(project, channel)
    if isinstance(channel, EmailChannel):
        return [("email_configs", _email(channel))]
    if isinstance(channel, SlackChannel):
        return [("slack_configs", _slack(channel, name, file, sink)) for name, file in channel.webhook_files().items()]
    if isinstance(channel, PagerDutyChannel | WebhookChannel) and channel.is_pagerduty:
        return [("pagerduty_configs", _pagerduty(project, channel, sink))]
    if isinstance(channel, WebhookChannel):
        return [("webhook_configs", _webhook(channel, sink))]
    raise AssertionError(f"{type(channel).__name__} has no Alertmanager integration")


def receiver(project: Project, channels: tuple[str, ...]) -> dict[str, Any]:
    """A receiver notifying every channel of a set."""
    entry: dict[str, Any] = {"name": receiver_name(channels)}
    for name in channels:
        for field, config in integrations(project, project.channels[name]):
            entry.setdefault(field, []).append(config)
    return entry
