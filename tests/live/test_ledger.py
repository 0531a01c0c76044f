"""The notification ledger: routes as Alertmanager takes them, episodes from ALERTS samples, tallies of the sinks."""

from __future__ import annotations

from pathlib import Path

from generator.live.ledger import Delivery, Episode, Routing, _runs, _tally

ROOT = Path(__file__).resolve().parents[2]
ROUTING = Routing(ROOT / "out/alertmanager/alertmanager.yml")
CPU = {"alertname": "CpuHigh", "severity": "critical", "instance": "host-1", "escalation_policy": "default"}
SLACK = Delivery(("webhook", "/slack"), send_resolved=True, group_wait=1, group_interval=10, repeat_interval=240)


def _webhook(at: float, status: str, labels: dict[str, str], path: str = "/slack", answered: int = 200) -> dict:
    return {"received": at, "path": path, "answered": answered,
            "body": {"status": status, "alerts": [{"status": status, "labels": {**labels, "platform": "x"}}]}}


def test_a_critical_alert_reaches_every_integration_of_its_receiver() -> None:
    reached = {d.integration for d in ROUTING.deliveries(CPU)}
    assert ("email", "oncall@company.com") in reached
    assert {kind for kind, _ in reached} == {"email", "webhook"}


def test_an_escalation_level_reaches_its_own_channels_not_the_severity_route() -> None:
    level = {**CPU, "alertname": "EscalationLevel1", "escalated_alertname": "CpuHigh", "escalation_level": "1"}
    assert [d.integration for d in ROUTING.deliveries(level)] == [("email", "team-lead@company.com")]


def test_an_unrouted_severity_reaches_nobody() -> None:
    assert ROUTING.deliveries({"alertname": "X", "severity": "info"}) == []


def test_gaps_shorter_than_the_bridge_join_and_longer_ones_split() -> None:
    stamps = [0.0, 1.0, 2.0, 10.0, 11.0, 40.0, 41.0]
    runs = _runs({"alertname": "A"}, stamps, bridge=16, end=100)
    assert [(r.start, r.end) for r in runs] == [(0.0, 11.0), (40.0, 41.0)]
    assert _runs({"alertname": "A"}, stamps, bridge=16, end=50)[-1].end is None  # still firing at the end


def test_one_firing_and_one_resolved_notification_are_all_an_episode_owes() -> None:
    episode = Episode(CPU, start=100, end=160)
    records = [_webhook(102, "firing", CPU), _webhook(170, "resolved", CPU)]
    tally = _tally(episode, SLACK, records, until=300, horizon=float("inf"))
    assert (tally.expected_firing, tally.received_firing, tally.expected_resolved, tally.received_resolved) == (
        1, 1, 1, 1)
    assert tally.lost == 0 and tally.duplicated == 0


def test_a_second_firing_notification_within_the_repeat_interval_is_a_duplicate() -> None:
    episode = Episode(CPU, start=100, end=160)
    records = [_webhook(102, "firing", CPU), _webhook(104, "firing", CPU), _webhook(170, "resolved", CPU)]
    assert _tally(episode, SLACK, records, until=300, horizon=float("inf")).duplicated == 1


def test_a_refused_delivery_does_not_count_and_a_missing_resolution_is_lost() -> None:
    episode = Episode(CPU, start=100, end=160)
    records = [_webhook(102, "firing", CPU, answered=500), _webhook(112, "firing", CPU)]
    tally = _tally(episode, SLACK, records, until=300, horizon=float("inf"))
    assert tally.received_firing == 1 and tally.lost == 1  # the resolved notification never came


def test_notifications_about_another_instance_are_not_counted() -> None:
    episode = Episode(CPU, start=100, end=None)
    records = [_webhook(102, "firing", {**CPU, "instance": "host-2"})]
    tally = _tally(episode, SLACK, records, until=300, horizon=float("inf"))
    assert tally.received_firing == 0 and tally.lost == 1 and tally.expected_resolved == 0
