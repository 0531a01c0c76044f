"""The notification side of an alert's latency: from the alert firing to Alertmanager sending its notification.

    wait   group_wait of the route the alert takes, for the first notification of a new group; an alert that
           joins a group that already notified (another series of the same alert on the same instance, or the
           alert firing again within 15 minutes of resolving, while Prometheus still sends the resolved one)
           waits for the group's next group_interval tick instead. The worst case is the longer of the two.
    peer   with an HA pair (several Alertmanagers the rules are sent to), the replica at position p waits
           p x peer_timeout for the others to have sent (gossiped through the notification log): when the
           first is down but not yet seen gone by its peers, the second sends peer_timeout later
    notify = wait + peer, to the moment Alertmanager hands the notification to the receiver's integration.

Delivery itself (SMTP, Slack, PagerDuty, their retries) is not in the figure: Alertmanager cuts a flush's
sending, retries included, after max(group_interval, 10 s) plus the peer wait, and a notification that still
fails waits for the group's next flush. On a healthy receiver it takes milliseconds (bench/alert_latency.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.analysis.delivery import deliveries
from generator.core.alert_routing import Routes
from generator.core.duration import parse_seconds

PEER_TIMEOUT = 15.0
"""Alertmanager's --cluster.peer-timeout when not given (stacks/docker-compose.yml does not give it)."""


@dataclass(frozen=True)
class Notify:
    """The route an alert takes and what it waits for there, in seconds."""

    receiver: str
    group_wait: float
    group_interval: float
    peer: float

    @property
    def new_group(self) -> float:
        """The first notification of a new group."""
        return self.group_wait + self.peer

    @property
    def worst(self) -> float:
        """A new group, or a group that already notified: the longer."""
        return max(self.group_wait, self.group_interval) + self.peer


def peer_wait(replicas: int) -> float:
    """The longest a replica of an HA group of `replicas` Alertmanagers waits before sending."""
    return max(0, replicas - 1) * PEER_TIMEOUT


def notify_of(routes: Routes, labels: dict[str, str], replicas: int) -> Notify:
    """How an alert with these labels is notified by the first receiver its route sends it to."""
    first = deliveries(routes, labels)[0]
    return Notify(first.receiver, parse_seconds(first.group_wait), parse_seconds(first.group_interval),
                  peer_wait(replicas))
