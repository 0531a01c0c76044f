"""Escalation over time: copies of an alert that fire once it has been firing for each level's delay.

An alert that climbs an escalation policy (its own, or its severity's) carries the label escalation_policy.
For each level of the policy an alerting rule of the alert's own name watches the alert's firing ALERTS series
and fires after the level's delay, labelled escalation_level=N; Alertmanager routes on that label to the
level's channels. Since a copy keeps the alert's name and every label, whatever silences the alert (an
acknowledgement) silences its escalation too, while Prometheus keeps counting: when the silence ends with
the alert still firing, the ladder stands where time has brought it.

The alert itself keeps firing for the policy's flap_tolerance after its condition clears (keep_firing_for),
so a short dip neither resolves it nor restarts the ladder. Prometheus restores each copy's `for` after a
restart from ALERTS_FOR_STATE, like any alert's.

ALERTS is 1 whatever the alert fired with, so a copy takes its value from the alert's condition, evaluated again:
whoever is told at level 2 reads "CPU on web-1 at 95.0%", as level 0 did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from generator.core.duration import format_seconds, parse_seconds
from generator.core.gotemplate import guard_absent_value
from generator.model import Alert, EscalationPolicy, LogAlert
from generator.model.alerts import AlertRule
from generator.model.conventions import (
    ESCALATION_LEVEL_LABEL,
    ESCALATION_POLICY_LABEL,
    NOT_ESCALATION,
    escalation_group,
)
from generator.model.project import Project


@dataclass(frozen=True)
class EscalationRule:
    """One level of a policy for one alert, as a Prometheus alerting rule."""

    alert: str
    policy: str
    level: int
    after: str
    channels: tuple[str, ...]
    exclude_instances: tuple[str, ...] = ()
    """Instances whose alerts do not escalate (the machine a live demo runs on)."""
    alert_group: str = "alerts"
    """The rule group of the alert it copies."""

    @property
    def firing(self) -> str:
        """The alert's own firing series (not its copies), without the alertstate label the copy sets itself."""
        matchers = [f'alertname="{self.alert}"', 'alertstate="firing"', NOT_ESCALATION]
        matchers += [f'instance!="{instance}"' for instance in self.exclude_instances]
        return f"max without (alertstate) (ALERTS{{{','.join(matchers)}}})"

    def expr(self, condition: str, rule_labels: Iterable[str]) -> str:
        """The copy's expression: the alert's firing series, each valued with what the alert's `condition` gives
        for it now (ALERTS' 1 times the value); where the condition gives nothing (a dip the alert's
        keep_firing_for holds through) NaN, so the copy fires exactly while the alert does and its `for` is not
        restarted by a dip, and its text says it has no current value rather than a made-up 1.

        The two are matched on the condition's own labels: ALERTS' less alertname and those the rule adds
        (`rule_labels`: severity, the policy, the alert's labels); group_left keeps ALERTS' labels, the alert's.
        """
        ignored = ", ".join(sorted({"alertname", *rule_labels}))
        return f"{self.firing} * ignoring ({ignored}) group_left () ({condition}) or {self.firing} * NaN"

    @property
    def labels(self) -> dict[str, str]:
        """Labels the copy adds to the alert's."""
        return {ESCALATION_LEVEL_LABEL: str(self.level)}

    @property
    def group(self) -> str:
        """Rule group holding the policy's levels of the alerts of one alert group, so a promtool test of those
        alerts' escalation loads their copies only (promtool evaluates every loaded rule at every step).

        Splitting moves no level in time: Prometheus runs each group on its own, at the evaluation interval and at
        a phase of its own (a hash of its name and file), so a copy in any group other than its alert's reads
        the alert's ALERTS series as the alert's last evaluation wrote it, up to one interval late, as it did when
        one group held every copy of the policy. The level's `for` counts from there either way.
        """
        return escalation_group(self.policy, self.alert_group)

    @property
    def note(self) -> str:
        """What reaching the level means, for the copy's description."""
        return (f"Unresolved for {self.after}: escalation level {self.level} of policy {self.policy}, "
                f"telling {', '.join(self.channels)}.")


_COPY = re.compile(r"^(?P<firing>max without \(alertstate\) \(ALERTS\{[^}]*\}\)) \* ignoring \([^)]*\) "
                   r"group_left \(\) \(.*\) or (?P=firing) \* NaN$", re.DOTALL)


def copied_series(expr: str) -> str | None:
    """The alert's firing series an escalation copy's expression (EscalationRule.expr) reads, without the alert's
    condition it repeats for the value; None for any other expression."""
    match = _COPY.match(expr)
    return match["firing"] if match else None


def escalation_rules(policy: EscalationPolicy, alert: str = "ExampleAlert",
                     exclude_instances: tuple[str, ...] = (), alert_group: str = "alerts") -> list[EscalationRule]:
    """The rules escalating one alert (of the rule group `alert_group`) along a policy, one per level."""
    return [EscalationRule(alert, policy.name, index, level.after, level.channels, exclude_instances, alert_group)
            for index, level in enumerate(policy.levels, start=1)]


def alert_escalation(project: Project, alert: Alert | LogAlert) -> list[EscalationRule]:
    """The escalation rules of an alert (none when it does not escalate)."""
    policy = project.escalation_of(alert)
    if policy is None:
        return []
    quiet = project.profile.quiet_instances if project.profile is not None else ()
    return escalation_rules(policy, alert.name, quiet, alert.group)


def level_hold(alert: AlertRule, level: EscalationRule) -> str:
    """How long a copy of the alert's own rule holds to reach a level, where the ruler cannot read ALERTS (Loki's):
    the alert's `for` plus the level's delay."""
    return format_seconds(parse_seconds(alert.for_) + parse_seconds(level.after))


def copy_annotations(rule: EscalationRule, annotations: dict[str, str], *, dips: bool = False) -> dict[str, str]:
    """The alert's annotations on its escalation copy, with what the level means: a copy has the alert's value
    (Prometheus' through EscalationRule.expr, Loki's evaluating the alert's own expression). A copy that `dips`
    (Prometheus': NaN while its alert's condition dips) says "no current value" there, not "NaN%"."""
    shown = {key: guard_absent_value(text) for key, text in annotations.items()} if dips else annotations
    return {**shown, "description": f"{shown['description']} {rule.note}"}


def keep_firing_for(project: Project, alert: Alert) -> str:
    """How long an alert keeps firing after its condition clears: its own keep_firing_for or its policy's flap
    tolerance, the longer ("0s": neither)."""
    policy = project.escalation_of(alert)
    held: list[str] = [alert.keep_firing_for, *([policy.flap_tolerance] if policy is not None else [])]
    return max(held, key=parse_seconds)


def escalation_labels(project: Project, alert: AlertRule) -> dict[str, str]:
    """The policy label of an alert that escalates (none otherwise)."""
    policy = project.escalation_of(alert)
    return {ESCALATION_POLICY_LABEL: policy.name} if policy is not None else {}


@dataclass(frozen=True)
class NotifiedLevel:
    """A level as Alertmanager routes it for one alert (targets/alertmanager.py's escalation routes): its channels
    but PagerDuty's where an incident is already open, since a level's PagerDuty would open a second one (its
    dedup_key is the route's group key); PagerDuty's own escalation climbs the open one."""

    level: int
    after: str
    channels: tuple[str, ...]
    """The channels told at this level."""
    not_repaged: tuple[str, ...]
    """The level's PagerDuty channels left out, the incident being open."""
    opened_by: str
    """What opened that incident: "the alert" (its own channels page) or "level N"; "" when none was left out."""


def pages(project: Project, channels: Iterable[str]) -> bool:
    """Whether any of the channels is PagerDuty's (a notification there opens an incident)."""
    return any(project.channels[name].is_pagerduty for name in channels)


def told_channels(project: Project, alert: Alert | LogAlert) -> tuple[str, ...]:
    """The channels an alert's own notification reaches (not its escalation's): a Prometheus alert's severity's,
    then its own extra ones; a log alert's severity's (none while its severity is undeclared)."""
    if isinstance(alert, Alert):
        return project.alert_channels(alert)
    severity = project.alerting.severity(alert.severity)
    return severity.channels if severity is not None else ()


def opens_incident(project: Project, alert: Alert | LogAlert) -> bool:
    """Whether the alert's own notification opens a PagerDuty incident that its escalation levels then leave to
    PagerDuty's own escalation: its channels page, as the escalation routes match it (targets/alertmanager.py's
    paging alerts: a severity that pages, or an alert of its own channels; a heartbeat by its severity alone)."""
    if isinstance(alert, Alert) and alert.heartbeat is not None:
        return pages(project, project.severity_of(alert).channels)
    return pages(project, told_channels(project, alert))


def climb(project: Project, policy: EscalationPolicy, opened: bool) -> list[NotifiedLevel]:
    """Who each level of the policy tells, as Alertmanager routes it, for an alert whose own notification `opened` a
    PagerDuty incident or not: a level's channels but its PagerDuty ones once an incident is open (the alert's, or
    a lower level's), since Alertmanager's dedup_key is its group key's hash, which differs per route and cannot be
    set (prometheus/alertmanager#298, #1837). The one derivation the routes, their amtool tests, the runbooks'
    tables and the copies' notification text read."""
    by = "the alert" if opened else ""
    result = []
    for number, level in enumerate(policy.levels, start=1):
        paging = tuple(name for name in level.channels if project.channels[name].is_pagerduty)
        left_out = paging if by else ()
        kept = tuple(name for name in level.channels if name not in left_out)
        result.append(NotifiedLevel(number, level.after, kept, left_out, by if left_out else ""))
        by = by or (f"level {number}" if paging else "")
    return result


def notified_levels(project: Project, alert: Alert | LogAlert) -> list[NotifiedLevel]:
    """Who each escalation level of the alert tells, as its routes send it (none when it does not escalate)."""
    policy = project.escalation_of(alert)
    return climb(project, policy, opens_incident(project, alert)) if policy is not None else []


def told_escalation(project: Project, alert: Alert | LogAlert) -> list[EscalationRule]:
    """The alert's escalation rules, each with the channels its level tells as routed (its notifications' words)."""
    return [replace(rule, channels=told.channels)
            for rule, told in zip(alert_escalation(project, alert), notified_levels(project, alert), strict=True)]
