"""Who is told: channels, severities with their cooldowns, and escalation policies."""

import re
from typing import Any, Literal, Self, get_args
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration, format_seconds, parse_seconds
from generator.model.base import Definition, Model
from generator.model.metrics import LABEL_NAME
from generator.model.secrets import reject_inline_secrets
from generator.model.templates import notification_template

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PagerDutySeverity = Literal["critical", "error", "warning", "info"]
PAGERDUTY_SEVERITIES: tuple[str, ...] = get_args(PagerDutySeverity)
"""The only `payload.severity` values PagerDuty's Events API v2 accepts (anything else is answered 400)."""
SLACK_CHANNEL_PLACEHOLDER = "{channel}"


class SecretsByReference(Model):
    """A model whose secrets may only be referenced through *_file fields."""

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        return reject_inline_secrets(data)

    def secret_files(self) -> tuple[str, ...]:
        """The files its secrets are read from."""
        return tuple(str(value) for key, value in self.model_dump().items() if key.endswith("_file") and value)


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

    @property
    def is_pagerduty(self) -> bool:
        """Whether it reaches PagerDuty (sent through PagerDuty's Events API v2)."""
        return False


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
            notification_template(address)  # Alertmanager expands `to`: {{ .CommonLabels.team }}@example.com
        return to


class SlackChannel(Channel):
    """Slack incoming webhooks; each webhook URL is a secret read from a file.

    A Slack app's incoming webhook posts to the one channel it was created for (it ignores `channel`), so
    each Slack channel needs its own: `{channel}` in `api_url_file` stands for the channel's name.
    """

    kind: Literal["slack"] = "slack"
    channels: tuple[str, ...] = Field(min_length=1, description="Slack channels, e.g. #alerts.")
    api_url_file: str = Field(description="File holding the incoming-webhook URL; `{channel}` in it stands for "
                                          "the Slack channel's name without # or @ (one webhook per channel).")

    def webhook_files(self) -> dict[str, str]:
        """The incoming-webhook file of each Slack channel."""
        return {channel: self.api_url_file.replace(SLACK_CHANNEL_PLACEHOLDER, channel.lstrip("#@"))
                for channel in self.channels}

    def secret_files(self) -> tuple[str, ...]:
        """The incoming-webhook files."""
        return tuple(dict.fromkeys(self.webhook_files().values()))

    @field_validator("channels")
    @classmethod
    def _hash(cls, channels: tuple[str, ...]) -> tuple[str, ...]:
        for channel in channels:
            if not channel.startswith(("#", "@")):
                raise ValueError(f"Slack channel {channel!r} must start with # or @")
            notification_template(channel)  # Alertmanager expands `channel`: #alerts-{{ .CommonLabels.team }}
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

    @model_validator(mode="after")
    def _pagerduty_key(self) -> Self:
        if self.is_pagerduty and not self.credentials_file:
            raise ValueError("a webhook to PagerDuty is sent through its Events API v2, which needs the "
                             "integration's routing key: name the file holding it in credentials_file")
        return self

    @property
    def is_pagerduty(self) -> bool:
        """Whether the URL is PagerDuty's, which does not accept Alertmanager's webhook JSON."""
        host = urlsplit(self.url).hostname or ""
        return host == "pagerduty.com" or host.endswith(".pagerduty.com")


class PagerDutyChannel(Channel):
    """PagerDuty Events API v2; the routing key is a secret read from a file."""

    kind: Literal["pagerduty"] = "pagerduty"
    routing_key_file: str = Field(description="File holding the integration's routing key.")

    @property
    def is_pagerduty(self) -> bool:
        """Always."""
        return True


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
    escalation: str = Field(default="", description="Escalation policy its alerts climb while unresolved "
                                                    "('' for none: they stay with this severity's channels).")
    pagerduty_severity: PagerDutySeverity | None = Field(
        default=None, description="What PagerDuty is sent for it (critical, error, warning or info); by default "
                                  "its own name, when PagerDuty has it.")

    @property
    def pagerduty(self) -> str | None:
        """The PagerDuty severity it is sent as, or None when it has none."""
        if self.pagerduty_severity is not None:
            return self.pagerduty_severity
        return self.name if self.name in PAGERDUTY_SEVERITIES else None


class AlertingConfig(Definition):
    """The plan's ALERTING_CONFIG: SMTP relay, ordered severities, grouping."""

    smtp: Smtp | None = Field(default=None, description="Relay for email channels.")
    severities: tuple[Severity, ...] = Field(min_length=1, description="Lowest first; order is rank.")
    # service_name: Loki's label for a log alert's service (LogStream.service), which has no service label
    group_by: tuple[str, ...] = Field(default=("alertname", "service", "service_name", "instance"),
                                      description="Grouping.")

    @model_validator(mode="after")
    def _unique(self) -> Self:
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
    """Levels that an unresolved alert climbs over time; a silence of the alert stops the climb (acknowledge)."""

    name: str = Field(description="Policy name that severities and alerts reference.")
    levels: tuple[EscalationLevel, ...] = Field(min_length=1, description="In increasing order of `after`.")
    flap_tolerance: Duration = Field(
        default="5m", description="An alert climbing this policy stays firing this long after its condition "
                                  "clears (keep_firing_for), so a dip shorter than this does not restart the climb; "
                                  "its resolved notification comes this much later.")
    cooldown: Duration = Field(default="1m", description="Minimum time between notifications of one level's group.")
    repeat_interval: Duration = Field(default="4h", description="Re-notify a level nobody acted on this often.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not NAME.match(name):
            raise ValueError(f"escalation policy name {name!r} must be lower_snake_case")
        return name

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        delays = [parse_seconds(level.after) for level in self.levels]
        if delays != sorted(set(delays)) or delays[0] <= 0:
            raise ValueError(f"escalation levels must have strictly increasing, positive delays, got {delays}")
        return self


MIN_GROUP_INTERVAL = 10.0  # Alertmanager rejects a zero group_interval; 10s is the floor we map "0" to
MAX_GROUP_WAIT = 10.0  # keeps detection-to-notification under the plan's 30 s


def route_timing(severity: Severity | EscalationPolicy) -> tuple[str, str, str]:
    """(group_wait, group_interval, repeat_interval) that implement a severity's or a policy's cooldown.

    Reaching an escalation level is itself the delay, so a level's route notifies at once (group_wait 0).
    """
    cooldown = parse_seconds(severity.cooldown)
    group_wait = 0.0 if isinstance(severity, EscalationPolicy) else min(cooldown, MAX_GROUP_WAIT)
    group_interval = max(cooldown, MIN_GROUP_INTERVAL)
    repeat = max(parse_seconds(severity.repeat_interval), group_interval)
    return format_seconds(group_wait), format_seconds(group_interval), format_seconds(repeat)


def heartbeat_timing(heartbeat: str) -> tuple[str, str, str]:
    """(group_wait, group_interval, repeat_interval) of a dead man's switch: at once, then every `heartbeat`.

    Alertmanager repeats at the first flush of the group after repeat_interval, and flushes every
    group_interval: the shortest one keeps the period within 10 s of the heartbeat.
    """
    return "0s", format_seconds(MIN_GROUP_INTERVAL), format_seconds(max(parse_seconds(heartbeat), MIN_GROUP_INTERVAL))


class Inhibition(Definition):
    """An Alertmanager inhibit rule for a cause and its consequences that carry different labels: while an alert
    matching `source` fires, alerts matching `target` are not notified (Alertmanager keeps them, inhibited), and
    are once it resolves. A backend down (TargetDown{job="tempo"}) mutes the collector failing to export to it."""

    name: str = Field(min_length=1, description="What the cause mutes, for `obsgen list` and reviews.")
    source: dict[str, str] = Field(min_length=1, description="Label values the cause has (alertname, job...).")
    target: dict[str, str] = Field(min_length=1, description="Label values of the consequences it mutes.")
    equal: tuple[str, ...] = Field(
        default=(), description="Labels the cause and a consequence must share the value of: the stack's external "
                                "labels, so one Prometheus' cause mutes only its own consequences.")

    @model_validator(mode="after")
    def _label_names_and_plain_values(self) -> Self:
        pairs = [*self.source.items(), *self.target.items(), *((label, "") for label in self.equal)]
        wrong = [f"{label}={value!r}" for label, value in pairs
                 if not LABEL_NAME.match(label) or '"' in value or "\\" in value]
        if wrong:
            raise ValueError(f"{', '.join(wrong)}: label names, and values without quotes or backslashes")
        return self

    def rule(self) -> dict[str, Any]:
        """alertmanager.yml's inhibit_rules entry."""
        rule: dict[str, Any] = {
            "source_matchers": [f'{label}="{value}"' for label, value in sorted(self.source.items())],
            "target_matchers": [f'{label}="{value}"' for label, value in sorted(self.target.items())],
        }
        return rule | ({"equal": list(self.equal)} if self.equal else {})
