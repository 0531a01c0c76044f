"""Static bounds on alert latency, from the definitions' timings alone.

From the moment the monitored system changes to the first notification of a new alert group:

    detect  = scrape_interval                  the change reaches Prometheus with the next scrape (0 for an
                                               expression that reads no scraped series, e.g. vector(1))
            + window                           a rate or *_over_time over W of scraped series reflects a step
                                               change fully after W; ranges over recorded series compare with
                                               the past (a 7-day average) and are not waited for
            + (depth + 1) * evaluation_interval every recording-rule level, then the alert, is evaluated once
                                               per interval, each group on its own clock
            + for (rounded up to evaluations)  pending until the condition has held that long
    notify  = group_wait                       of the Alertmanager route the alert takes: the first notification
                                               of a new group (an alert joining a group that already notified,
                                               or firing again within 15 minutes of resolving, while Prometheus
                                               still sends the resolved alert, waits for the group's next
                                               group_interval instead)
    bound   = detect + notify

The plan's "under 30 s from detection to notification" is `notify`: from the alert firing in Prometheus
to the notification. An escalation level adds, after its alert fires: one evaluation of the escalation rule,
its delay, and its route's group_wait.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from generator.analysis.delivery import Delivery, deliveries
from generator.core.duration import parse_seconds
from generator.core.promql import selectors
from generator.derive.escalation import escalation_rules
from generator.derive.examples import alert_labels
from generator.model import Alert
from generator.model.conventions import ESCALATION_POLICY_LABEL
from generator.model.project import Project
from generator.targets.alertmanager import config as alertmanager_config

PLAN_NOTIFY_TARGET = 30.0
"""The plan's success target: under 30 s from detection to notification."""
EVALUATED_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
"""Series Prometheus writes when it evaluates rules, not when it scrapes."""


@dataclass(frozen=True)
class Bound:
    """The static latency bound of one alert (or escalation level), in seconds."""

    name: str
    receiver: str
    scrape: float
    window: float
    evaluations: float
    for_: float
    group_wait: float

    @property
    def detect(self) -> float:
        """From the change in the monitored system to the alert firing."""
        return self.scrape + self.window + self.evaluations + self.for_

    @property
    def notify(self) -> float:
        """From the alert firing to the notification."""
        return self.group_wait

    @property
    def total(self) -> float:
        """From the change to the notification."""
        return self.detect + self.notify


def route_for(project: Project, labels: dict[str, str]) -> Delivery:
    """The first receiver the generated Alertmanager tree sends an alert with these labels to."""
    return deliveries(alertmanager_config(project), labels)[0]


@dataclass(frozen=True)
class ReadPath:
    """What lies between scraped series and an expression."""

    scraped: bool
    window: float
    depth: int


def read_path(expr: str, recorded: Mapping[str, str], seen: frozenset[str] = frozenset()) -> ReadPath:
    """Whether an expression reads scraped series, the longest range over them, and its recording-rule depth,
    given every recording rule's expression by name."""
    scraped, window, depth = False, 0.0, 0
    for selector in selectors(expr):
        rule = recorded.get(selector.name)
        if rule is None:
            scraped = scraped or selector.name not in EVALUATED_SERIES
            window = max(window, selector.window or 0.0)
        elif selector.name not in seen:
            inner = read_path(rule, recorded, seen | {selector.name})
            scraped, window, depth = scraped or inner.scraped, max(window, inner.window), max(depth, inner.depth + 1)
    return ReadPath(scraped, window, depth)


def rounded_up(seconds: float, step: float) -> float:
    """seconds rounded up to whole steps (a `for` is checked once per evaluation)."""
    return math.ceil(seconds / step) * step if step else seconds


def alert_bound(project: Project, alert: Alert) -> Bound:
    """The bound of one alert."""
    stack = project.stack
    evaluation = parse_seconds(stack.evaluation_interval)
    path = read_path(alert.condition, {name: rule.expr for name, rule in project.recording_rules.items()})
    route = route_for(project, {"alertname": alert.name, **alert_labels(project, alert)})
    return Bound(alert.name, route.receiver, parse_seconds(stack.scrape_interval) if path.scraped else 0.0,
                 path.window, (path.depth + 1) * evaluation, rounded_up(parse_seconds(alert.for_), evaluation),
                 parse_seconds(route.group_wait))


def escalation_bounds(project: Project) -> list[Bound]:
    """Per escalation level of every policy: from its alert firing to the level's notification."""
    evaluation = parse_seconds(project.stack.evaluation_interval)
    found = []
    for policy in project.escalation_policies.values():
        for level in escalation_rules(policy):
            labels = {"alertname": level.alert, ESCALATION_POLICY_LABEL: policy.name, **level.labels}
            route = route_for(project, labels)
            found.append(Bound(f"{policy.name} level {level.level}", route.receiver, 0.0, 0.0, evaluation,
                               rounded_up(parse_seconds(level.after), evaluation), parse_seconds(route.group_wait)))
    return found


def bounds(project: Project) -> list[Bound]:
    """Every alert's bound, in definition order."""
    return [alert_bound(project, alert) for alert in project.alerts.values()]


def _row(bound: Bound, alert: bool) -> str:
    detect = f"{bound.scrape:>7g} {bound.window:>7g}" if alert else " " * 15
    notify = f"{bound.detect:>7g} {bound.notify:>7g}" if alert else " " * 15
    return (f"{bound.name:<34} {bound.receiver:<34} {detect} {bound.evaluations:>6g} {bound.for_:>6g} "
            f"{bound.group_wait:>6g} {notify} {bound.total:>7g}")


def report(project: Project) -> tuple[list[str], list[str]]:
    """The table `obsgen latency` prints, and the alerts whose notify part misses the plan's target."""
    alerts = bounds(project)
    lines = [f"{'alert':<34} {'receiver':<34} {'scrape':>7} {'window':>7} {'evals':>6} {'for':>6} {'g_wait':>6} "
             f"{'detect':>7} {'notify':>7} {'bound':>7}   (seconds)"]
    lines += [_row(bound, alert=True) for bound in alerts]
    lines.append("escalation, from the alert firing:")
    lines += [_row(bound, alert=False) for bound in escalation_bounds(project)]
    missed = [bound.name for bound in alerts if bound.notify >= PLAN_NOTIFY_TARGET]
    verdict = f"missed by {', '.join(missed)}" if missed else \
        f"met by every alert (longest notify {max((b.notify for b in alerts), default=0.0):g} s)"
    lines.append(f"plan target, alert firing -> notification under {PLAN_NOTIFY_TARGET:g} s: {verdict}")
    return lines, missed
