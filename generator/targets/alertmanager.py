"""Alertmanager: routes per severity, per alert override and per escalation level; receivers; inhibition."""

from __future__ import annotations

from typing import Any

from generator.derive.escalation import ESCALATED_NAME_LABEL, LEVEL_LABEL, POLICY_LABEL, escalation_rules
from generator.derive.escalation import route_timing as escalation_route_timing
from generator.model import Channel, EmailChannel, PagerDutyChannel, SlackChannel, WebhookChannel, conventions
from generator.model.identity import receiver_name
from generator.model.notify import route_timing
from generator.model.project import Project
from generator.targets.templating import environment

# Go templates own {{ }} in the output; jinja2 uses [[ ]] and [% %] here.
_JINJA = environment(variable_start_string="[[", variable_end_string="]]", block_start_string="[%",
                     block_end_string="%]")


def _sink(project: Project, channel: Channel) -> str:
    profile = project.profile
    return f"{profile.sink_url}/{channel.name}" if profile is not None and profile.sink_url else ""


def channel_config(project: Project, channel: Channel) -> tuple[str, dict[str, Any]]:
    """The (receiver field, config entry) for a channel."""
    sink = _sink(project, channel)
    if isinstance(channel, EmailChannel):
        return "email_configs", {
            "to": ", ".join(channel.to),
            "send_resolved": channel.send_resolved,
            "headers": {"Subject": '{{ template "obsgen.email.subject" . }}'},
            "html": '{{ template "obsgen.email.html" . }}',
        }
    if isinstance(channel, WebhookChannel) or sink:
        entry: dict[str, Any] = {"url": sink or getattr(channel, "url", ""), "send_resolved": channel.send_resolved}
        if isinstance(channel, WebhookChannel) and channel.credentials_file and not sink:
            entry["http_config"] = {"authorization": {"credentials_file": channel.credentials_file}}
        return "webhook_configs", entry
    if not isinstance(channel, PagerDutyChannel):
        raise AssertionError(f"{type(channel).__name__} has no single config (Slack expands per channel)")
    return "pagerduty_configs", {
        "routing_key_file": channel.routing_key_file,
        "send_resolved": channel.send_resolved,
        "severity": '{{ .CommonLabels.severity }}',
        "description": '{{ template "obsgen.title" . }}',
    }


def receiver(project: Project, channels: tuple[str, ...]) -> dict[str, Any]:
    """A receiver notifying every channel of a set."""
    entry: dict[str, Any] = {"name": receiver_name(channels)}
    for name in channels:
        channel = project.channels[name]
        if isinstance(channel, SlackChannel) and not _sink(project, channel):
            for slack_channel in channel.channels:
                entry.setdefault("slack_configs", []).append({
                    "api_url_file": channel.api_url_file,
                    "channel": slack_channel,
                    "send_resolved": channel.send_resolved,
                    "title": '{{ template "obsgen.title" . }}',
                    "text": '{{ template "obsgen.slack.text" . }}',
                })
            continue
        field, config = channel_config(project, channel)
        entry.setdefault(field, []).append(config)
    return entry


def _timed(route: dict[str, Any], timing: tuple[str, str, str]) -> dict[str, Any]:
    wait, interval, repeat = timing
    return {**route, "group_wait": wait, "group_interval": interval, "repeat_interval": repeat}


def routes(project: Project) -> list[dict[str, Any]]:
    """Child routes, most specific first: escalation levels, alert overrides, then severities."""
    alerting = project.alerting
    result: list[dict[str, Any]] = []
    escalation_timing = escalation_route_timing(project.profile.time_scale if project.profile is not None else 1.0)
    for policy in project.escalation_policies.values():
        for level in escalation_rules(policy):
            result.append(_timed({
                "receiver": receiver_name(level.channels),
                "matchers": [f'{POLICY_LABEL}="{policy.name}"', f'{LEVEL_LABEL}="{level.level}"'],
                "group_by": [*alerting.group_by, "escalated_alertname"],
            }, escalation_timing))
    for alert in project.alerts.values():
        severity = project.severity_of(alert)
        channels = project.alert_channels(alert)
        if channels != severity.channels:
            result.append(_timed({
                "receiver": receiver_name(channels),
                "matchers": [f'alertname="{alert.name}"', f'severity="{alert.severity}"'],
            }, route_timing(severity)))
    for severity in alerting.severities:
        result.append(_timed({
            "receiver": receiver_name(severity.channels),
            "matchers": [f'severity="{severity.name}"'],
        }, route_timing(severity)))
    return result


def inhibit_rules(project: Project) -> list[dict[str, Any]]:
    """A higher severity mutes every lower one for the same alert (escalated alert) and instance."""
    names = [s.name for s in project.alerting.severities]
    return [
        {
            "source_matchers": [f'severity="{higher}"'],
            "target_matchers": [f'severity=~"{"|".join(names[:rank])}"'],
            # escalation alerts share one name per level: the escalated alert's name must match too
            "equal": ["alertname", ESCALATED_NAME_LABEL, "instance"],
        }
        for rank, higher in enumerate(names)
        if rank > 0
    ]


def config(project: Project) -> dict[str, Any]:
    """alertmanager.yml."""
    child_routes = routes(project)
    receivers: dict[str, dict[str, Any]] = {"null": {"name": "null"}}
    for route in child_routes:
        name = route["receiver"]
        if name not in receivers:
            receivers[name] = receiver(project, tuple(name.split("-")) if name != "null" else ())
    document: dict[str, Any] = {"global": {"resolve_timeout": "5m"}}
    smtp = project.alerting.smtp
    profile = project.profile
    if profile is not None and profile.smtp_smarthost:
        document["global"] |= {"smtp_smarthost": profile.smtp_smarthost, "smtp_require_tls": False,
                               "smtp_from": smtp.sender if smtp else "obsgen@localhost"}
    elif smtp is not None:
        document["global"] |= {"smtp_smarthost": smtp.smarthost, "smtp_from": smtp.sender,
                               "smtp_require_tls": smtp.require_tls}
        if smtp.auth_username:
            document["global"]["smtp_auth_username"] = smtp.auth_username
        if smtp.auth_password_file:
            document["global"]["smtp_auth_password_file"] = smtp.auth_password_file
    document["templates"] = [conventions.alertmanager_template().removeprefix("alertmanager/")]
    document["route"] = {
        "receiver": "null",
        "group_by": list(project.alerting.group_by),
        "group_wait": "10s",
        "group_interval": "1m",
        "repeat_interval": "4h",
        "routes": child_routes,
    }
    document["inhibit_rules"] = inhibit_rules(project)
    document["receivers"] = list(receivers.values())
    return document


def render(project: Project) -> dict[str, Any]:
    """alertmanager.yml and its notification templates."""
    template = _JINJA.get_template(f"{conventions.ALERTMANAGER_TEMPLATE}.j2").render(
        stack=project.stack, severities=[s.name for s in project.alerting.severities]
    )
    return {conventions.ALERTMANAGER_CONFIG: config(project), conventions.alertmanager_template(): template}
