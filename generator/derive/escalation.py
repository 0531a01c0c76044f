"""Escalation over time, built from Prometheus' ALERTS meta-series.

An alert that names an escalation policy carries the label escalation_policy. For each level of the
policy an alerting rule watches ALERTS of firing alerts with that label and fires after the level's
delay, labelled escalation_level=N; Alertmanager routes on that label to the level's channels. The
original alert's name moves to escalated_alertname because the rule's own name replaces alertname.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.duration import format_seconds, parse_seconds, scale
from generator.model import EscalationPolicy
from generator.model.notify import MIN_GROUP_INTERVAL

POLICY_LABEL = "escalation_policy"
LEVEL_LABEL = "escalation_level"
ESCALATED_NAME_LABEL = "escalated_alertname"
# Reaching a level is itself the delay, so its route notifies at once; group_interval batches
# several alerts escalating together, repeat_interval re-notifies a level nobody acted on.
ROUTE_TIMING = ("0s", "1m", "4h")


def route_timing(time_scale: float = 1.0) -> tuple[str, str, str]:
    """(group_wait, group_interval, repeat_interval) of a level's route, compressed like every delay.

    Compressing group_interval matters: a level that fires again within 15 minutes of resolving (Prometheus
    keeps sending the resolved alert that long) joins its old Alertmanager group and waits for the group's
    next interval; a level that resolves before that is never notified. The interval keeps Alertmanager's
    10 s floor.
    """
    wait, interval, repeat = (scale(duration, time_scale) for duration in ROUTE_TIMING)
    interval = format_seconds(max(parse_seconds(interval), MIN_GROUP_INTERVAL))
    return wait, interval, format_seconds(max(parse_seconds(repeat), parse_seconds(interval)))


@dataclass(frozen=True)
class EscalationRule:
    """One level of a policy as a Prometheus alerting rule."""

    policy: str
    level: int
    after: str
    channels: tuple[str, ...]

    @property
    def alertname(self) -> str:
        """Name of the escalation alert."""
        return f"EscalationLevel{self.level}"

    @property
    def expr(self) -> str:
        """Firing alerts of this policy, minus escalation alerts, with the original name kept."""
        firing = f'ALERTS{{alertstate="firing",{POLICY_LABEL}="{self.policy}",{LEVEL_LABEL}=""}}'
        return (
            f'label_replace(max without (alertstate) ({firing}), "{ESCALATED_NAME_LABEL}", "$1", '
            f'"alertname", "(.*)")'
        )

    @property
    def labels(self) -> dict[str, str]:
        """Labels the escalation alert adds."""
        return {LEVEL_LABEL: str(self.level)}

    @property
    def annotations(self) -> dict[str, str]:
        """Summary and description of the escalation notification."""
        name = f"{{{{ $labels.{ESCALATED_NAME_LABEL} }}}}"
        return {
            "summary": f"{name} unresolved for {self.after}: escalation level {self.level}",
            "description": f"{name} has been firing for {self.after} without being resolved; "
                           f"escalating to {', '.join(self.channels)} (policy {self.policy}).",
        }

    @property
    def group(self) -> str:
        """Rule group holding the policy's levels."""
        return f"escalation-{self.policy}"


def escalation_rules(policy: EscalationPolicy) -> list[EscalationRule]:
    """The alerting rules implementing a policy, one per level."""
    return [
        EscalationRule(policy.name, index, level.after, level.channels)
        for index, level in enumerate(policy.levels, start=1)
    ]
