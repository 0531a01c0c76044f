"""Who is told: channels, severities with their cooldowns, and escalation policies."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration, format_seconds, parse_seconds
from generator.model.base import Definition, Model
from generator.model.secrets import reject_inline_secrets

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SecretsByReference(Model):
    """A model whose secrets may only be referenced through *_file fields."""

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        return reject_inline_secrets(data)


class Channel(Definition, SecretsByReference):
    """A way to reach people; each kind becomes one Alertmanager *_config."""

    name: str = Field(description="Channel name that severities and escalation levels reference.")
    send_resolved: bool = Field(default=True, description="Also notify when the alert resolves.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not NAME.match(name):
            raise ValueError(f"channel name {name!r} must be lower_snake_case")
        return name


class EmailChannel(Channel):
    """Email through the project's SMTP relay."""

    kind: Literal["email"] = "email"
    to: tuple[str, ...] = Field(min_length=1, description="Recipient addresses.")

    @field_validator("to")
    @classmethod
    def _addresses(cls, to: tuple[str, ...]) -> tuple[str, ...]:
        for address in to:
            if not EMAIL.match(address):
                raise ValueError(f"{address!r} is not an email address")
        return to


class SlackChannel(Channel):
    """Slack incoming webhook; the webhook URL is a secret read from a file."""

    kind: Literal["slack"] = "slack"
    channels: tuple[str, ...] = Field(min_length=1, description="Slack channels, e.g. #alerts.")
    api_url_file: str = Field(description="File holding the incoming-webhook URL.")

    @field_validator("channels")
    @classmethod
    def _hash(cls, channels: tuple[str, ...]) -> tuple[str, ...]:
        for channel in channels:
            if not channel.startswith(("#", "@")):
                raise ValueError(f"Slack channel {channel!r} must start with # or @")
        return channels


class WebhookChannel(Channel):
    """Generic webhook (Alertmanager's webhook JSON); credentials, if any, come from a file."""

    kind: Literal["webhook"] = "webhook"
    url: str = Field(description="Endpoint URL; must not embed a token.")
    credentials_file: str = Field(default="", description="File holding a bearer token, if needed.")

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url {url!r} must be http(s)")
        return url


class PagerDutyChannel(Channel):
    """PagerDuty Events API v2; the routing key is a secret read from a file."""

    kind: Literal["pagerduty"] = "pagerduty"
    routing_key_file: str = Field(description="File holding the integration's routing key.")


class Smtp(SecretsByReference):
    """The SMTP relay email channels send through."""

    smarthost: str = Field(description="host:port of the relay.")
    sender: str = Field(description="From address.")
    auth_username: str = Field(default="", description="SMTP user, if the relay needs one.")
    auth_password_file: str = Field(default="", description="File holding the SMTP password.")
    require_tls: bool = Field(default=True, description="Refuse to send without STARTTLS.")

    @field_validator("smarthost")
    @classmethod
    def _host_port(cls, smarthost: str) -> str:
        if not re.match(r"^[\w.-]+:\d+$", smarthost):
            raise ValueError(f"smarthost {smarthost!r} must be host:port")
        return smarthost


class Severity(Model):
    """A severity level: who it reaches and how often it may notify (its cooldown)."""

    name: str = Field(description="info, warning, critical, emergency, ...")
    channels: tuple[str, ...] = Field(default=(), description="Channels notified at this severity.")
    cooldown: Duration = Field(description="Minimum time between notifications of one alert group; 0 = immediate.")
    repeat_interval: Duration = Field(default="4h", description="Re-notify a still-firing group this often.")


class AlertingConfig(Definition):
    """The plan's ALERTING_CONFIG: SMTP relay, ordered severities, grouping."""

    smtp: Smtp | None = Field(default=None, description="Relay for email channels.")
    severities: tuple[Severity, ...] = Field(min_length=1, description="Lowest first; order is rank.")
    group_by: tuple[str, ...] = Field(default=("alertname", "service", "instance"), description="Grouping.")

    @model_validator(mode="after")
    def _unique(self) -> AlertingConfig:
        names = [s.name for s in self.severities]
        if len(set(names)) != len(names):
            raise ValueError(f"severities {names} repeat a name")
        return self

    def severity(self, name: str) -> Severity | None:
        """The severity of that name, if declared."""
        return next((s for s in self.severities if s.name == name), None)

    def rank(self, name: str) -> int:
        """Position of a severity, lowest first."""
        return [s.name for s in self.severities].index(name)


class EscalationLevel(Model):
    """One rung: who is told once an alert has been firing for `after`."""

    after: Duration = Field(description="Time the alert has been firing before this level is reached.")
    channels: tuple[str, ...] = Field(min_length=1, description="Channels notified at this level.")


class EscalationPolicy(Definition):
    """Levels that an unresolved alert climbs over time."""

    name: str = Field(description="Policy name that alerts reference.")
    levels: tuple[EscalationLevel, ...] = Field(min_length=1, description="In increasing order of `after`.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not NAME.match(name):
            raise ValueError(f"escalation policy name {name!r} must be lower_snake_case")
        return name

    @model_validator(mode="after")
    def _increasing(self) -> EscalationPolicy:
        delays = [parse_seconds(level.after) for level in self.levels]
        if delays != sorted(set(delays)) or delays[0] <= 0:
            raise ValueError(f"escalation levels must have strictly increasing, positive delays, got {delays}")
        return self


MIN_GROUP_INTERVAL = 10.0  # Alertmanager rejects a zero group_interval; 10s is the floor we map "0" to
MAX_GROUP_WAIT = 10.0  # keeps detection-to-notification under the plan's 30 s


def route_timing(severity: Severity) -> tuple[str, str, str]:
    """(group_wait, group_interval, repeat_interval) that implement a severity's cooldown."""
    cooldown = parse_seconds(severity.cooldown)
    group_wait = min(cooldown, MAX_GROUP_WAIT)
    group_interval = max(cooldown, MIN_GROUP_INTERVAL)
    repeat = max(parse_seconds(severity.repeat_interval), group_interval)
    return format_seconds(group_wait), format_seconds(group_interval), format_seconds(repeat)
