"""Debian's Alertmanager (0.25: what `obsgen up` and these tests run, without --dispatch.start-delay) just started,
as after a restart, with the shipped routes and inhibit rules: whether an alert an inhibit rule mutes is notified
depends on which one its ruler re-sends first, whatever group_wait says (NT006, prometheus/alertmanager#4064).

Checkout's API down: CheckoutAvailabilitySLIAbsent pages and mutes TargetDown{job="api"}, both firing for an hour.
A restarted Alertmanager holds neither until Prometheus re-sends them, each rule group at its own resend time.
Every route here waits 10 minutes before its first notification: that holds a new alert, not one that started
an hour ago, which is flushed at once (dispatch.go: startsAt + group_wait already past).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.inhibition import Sink, post, quiet_since, rule_alert, shipped_alertmanager, status, until

PLATFORM = {"platform": "ecommerce-rag"}
CAUSE = rule_alert("CheckoutAvailabilitySLIAbsent", PLATFORM)
MUTED = rule_alert("TargetDown", PLATFORM) | {"job": "api"}
GROUP_WAIT = "10m"
FIRING_FOR = 3600.0
"""Seconds both alerts have fired when the Alertmanager restarts (their startsAt, as Prometheus re-sends it)."""


@pytest.fixture
def restarted(tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    """A just-started Alertmanager (no alert in memory, as after a restart) whose routes wait 10 minutes."""
    with shipped_alertmanager(tmp_path, group_wait=GROUP_WAIT) as served:
        yield served


def test_a_muted_alert_re_sent_before_its_cause_is_notified_at_once_whatever_group_wait(
        restarted: tuple[str, Sink]) -> None:
    url, sink = restarted
    post(url, MUTED, started_ago=FIRING_FOR)
    assert until(lambda: sink.seen(MUTED)), "TargetDown was held: its group waited, though it started an hour ago"
    post(url, CAUSE, started_ago=FIRING_FOR)  # re-sent a moment later: the rule mutes it from now on, too late
    assert until(lambda: status(url, MUTED)["inhibitedBy"] != [])


def test_the_cause_re_sent_first_keeps_it_muted(restarted: tuple[str, Sink]) -> None:
    url, sink = restarted
    post(url, CAUSE, started_ago=FIRING_FOR)
    assert until(lambda: sink.seen(CAUSE))  # the page itself is told at once, as any old alert
    posted = post(url, MUTED, started_ago=FIRING_FOR)
    assert until(lambda: status(url, MUTED)["inhibitedBy"] != [])
    quiet_since(posted)  # its group flushed at once (started an hour ago), then again after group_interval 1 s
    assert not sink.seen(MUTED)


def test_group_wait_holds_only_an_alert_that_started_within_it(restarted: tuple[str, Sink]) -> None:
    """The same TargetDown, new (started now, no cause): its group waits its 10 minutes."""
    url, sink = restarted
    posted = post(url, MUTED)
    quiet_since(posted)  # flushed at once, as the old alert above is, it would have been told well within QUIET
    assert not sink.seen(MUTED)
    assert status(url, MUTED)["state"] == "active"
