"""Alertmanager's --dispatch.start-delay, chosen from the definitions: how long a (re)started Alertmanager holds
every aggregation group's first notification, so that an inhibiting alert is back before what it inhibits is sent.

Alertmanager keeps alerts in memory only. After a restart each ruler re-sends its firing alerts one evaluation at a
time, and a new aggregation group whose alert started more than group_wait ago flushes at once
(dispatch/dispatch.go): an alert whose inhibiting alert has not been re-sent yet is notified
(prometheus/alertmanager#4064, #2229). From 0.30.0 (#4704) `--dispatch.start-delay` runs no aggregation group before
the process start plus the delay; alerts are grouped meanwhile, then every group runs. It counts from the process'
start, so a config reload (alerts kept in memory, the inhibitor loaded before the dispatcher) is not delayed again.

The delay covers the longest wait for a re-send: a ruler re-sends a firing alert at the first evaluation strictly
after its last send plus the resend delay (rules/alerting.go needsSending: LastSentAt.Add(resendDelay).Before(ts)),
so with a 15s evaluation interval every 75s, and Loki's ruler (built on the same rule manager) at 1m every 2m. Both
resend delays are their default, 1m: obsgen sets neither in compose nor in the Kubernetes resources.
"""

from __future__ import annotations

import math

from generator.core.duration import format_seconds, parse_seconds
from generator.core.releases import ordered
from generator.model import LogAlert, LogStorage, RuleSet
from generator.model.project import Project

RESEND_DELAY = 60.0
"""Prometheus' default --rules.alert.resend-delay (and Loki's ruler's resend_delay), in seconds."""
START_DELAY_SINCE = (0, 30, 0)
"""The first Alertmanager with --dispatch.start-delay (CHANGELOG 0.30.0, prometheus/alertmanager#4704); an earlier
one refuses to start with it."""


def resend_period(interval: float, resend_delay: float = RESEND_DELAY) -> float:
    """The longest time between two sends of a firing alert by a ruler evaluating every `interval` seconds."""
    return (math.floor(resend_delay / interval) + 1) * interval


def _alerting_intervals(project: Project) -> list[float]:
    """The evaluation interval of every rule group the project's alerts are sent from, in seconds."""
    intervals = [parse_seconds(project.stack.evaluation_interval)]
    intervals += [parse_seconds(group.interval) for rule_set in project.all(RuleSet) for group in rule_set.groups
                  if group.interval and rule_set.alerts()]
    if project.all(LogAlert):
        intervals += [parse_seconds(storage.evaluation_interval) for storage in project.all(LogStorage)]
    return intervals


def longest_resend(project: Project) -> float:
    """The longest a (re)started Alertmanager may wait for one of the project's firing alerts to be re-sent, in
    seconds: the resend period of its slowest ruler."""
    return max(resend_period(interval) for interval in _alerting_intervals(project))


def has_start_delay(release: str) -> bool:
    """Whether this Alertmanager release (X.Y.Z) takes --dispatch.start-delay."""
    return ordered(release) >= START_DELAY_SINCE


def start_delay(project: Project) -> str | None:
    """--dispatch.start-delay for the project's Alertmanager; None where its release (Stack.alertmanager_version)
    has no such flag."""
    if not has_start_delay(project.stack.alertmanager_version):
        return None
    return format_seconds(longest_resend(project))
