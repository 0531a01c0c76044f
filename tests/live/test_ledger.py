"""The notification ledger: routes as Alertmanager takes them, episodes from ALERTS samples, tallies of the sinks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.core.alert_inhibition import InhibitRule, mutes
from generator.core.untrusted import FileError
from generator.live.client import title_shows
from generator.live.ledger import Delivery, Episode, Routing, _runs, _tally, account, muted_spans
from generator.model.stack import ALERTMANAGER_VERSION

ROOT = Path(__file__).resolve().parents[2]
ROUTING = Routing(ROOT / "out/alertmanager/alertmanager.yml")
CPU = {"alertname": "CpuHigh", "severity": "critical", "instance": "host-1", "escalation_policy": "default"}
SLACK = Delivery(("webhook", "/slack"), send_resolved=True, group_wait=1, group_interval=10, repeat_interval=240)


def _webhook(at: float, status: str, labels: dict[str, str], path: str = "/slack",
             answered: int = 200) -> dict[str, Any]:
    return {"received": at, "path": path, "answered": answered,
            "body": {"status": status, "alerts": [{"status": status, "labels": {**labels, "platform": "x"}}]}}


def test_a_critical_alert_reaches_every_integration_of_its_receiver() -> None:
    reached = {d.integration for d in ROUTING.deliveries(CPU)}
    assert ("email", "oncall@company.com") in reached
    assert {kind for kind, _ in reached} == {"email", "slack", "pagerduty"}  # out/ posts to the services


def test_an_escalation_level_reaches_its_own_channels_not_the_severity_route() -> None:
    level = {**CPU, "escalation_level": "1"}
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


def test_a_slack_message_counts_for_the_alert_its_title_names() -> None:
    slack = Delivery(("webhook", "/slack/alerts"), True, 1, 10, 240, shown=("alertname", "instance"))

    def message(instance: str) -> dict[str, Any]:
        return {"received": 102, "path": "/slack/alerts", "answered": 200,
                "body": {"attachments": [{"title": f"[FIRING:1] CRITICAL CpuHigh instance={instance}"}]}}
    tally = _tally(Episode(CPU, start=100, end=None), slack, [message("host-1"), message("host-2")], until=300,
                   horizon=float("inf"))
    assert tally.received_firing == 1



def test_a_title_of_many_names_counts_for_the_alerts_it_does_not_list() -> None:
    """A group's title lists three alert names and counts the rest (obsgen.alertnames); another job's does not count."""
    title = "[FIRING:5] CRITICAL A B C +2 more job=api sli=absent"
    assert title_shows(title, "E", {"job": "api", "severity": "critical"})
    assert not title_shows(title, "E", {"job": "db"})
    assert not title_shows("[FIRING:2] CRITICAL A B job=api sli=absent", "E", {"job": "api"})

def test_a_title_shows_the_stacks_external_labels_only_for_another_stack() -> None:
    """The routes group by platform; the stack's own titles leave it out (obsgen.where), another stack's show it."""
    home = Routing(ROOT / "out/alertmanager/alertmanager.yml", {"platform": "ecommerce-rag"})
    ours, theirs = ({**CPU, "platform": platform} for platform in ("ecommerce-rag", "payments"))
    slack = next(d for d in home.deliveries(ours) if d.integration[0] == "slack")
    assert "platform" in next(d for d in ROUTING.deliveries(ours) if d.integration[0] == "slack").shown
    assert "platform" not in slack.shown and "instance" in slack.shown
    assert "platform" in next(d for d in home.deliveries(theirs) if d.integration[0] == "slack").shown

# --- inhibit_rules: the shipped ones, and Alertmanager's inhibit.go semantics -----------------------------------------

API_DOWN = {"alertname": "TargetDown", "job": "api", "severity": "warning"}
CHECKOUT_ABSENT = {"alertname": "CheckoutAvailabilitySLIAbsent", "severity": "critical", "service": "checkout",
                   "slo": "availability", "sli": "absent", "job": "api"}
EMAIL = Delivery(("email", "oncall@company.com"), send_resolved=True, group_wait=1, group_interval=10,
                 repeat_interval=240)


def test_the_shipped_absent_page_mutes_its_jobs_target_down_only() -> None:
    rules = ROUTING.inhibit_rules
    assert mutes(rules, CHECKOUT_ABSENT, API_DOWN)  # equal: platform, which neither has: both empty, equal
    assert mutes(rules, {**CHECKOUT_ABSENT, "escalation_level": "1"}, API_DOWN)
    assert not mutes(rules, {**CHECKOUT_ABSENT, "platform": "another-stack"}, API_DOWN)
    assert not mutes(rules, CHECKOUT_ABSENT, {**API_DOWN, "job": "node"})
    assert not mutes(rules, API_DOWN, CHECKOUT_ABSENT)


def test_an_alert_matching_both_sides_mutes_no_alert_that_does() -> None:
    rule = InhibitRule.parse({"source_matchers": ["severity=~\"critical|warning\""],
                              "target_matchers": ["severity=~\"warning|info\""], "equal": ["instance"]},
                             ALERTMANAGER_VERSION)
    warning = {"alertname": "A", "severity": "warning", "instance": "h"}
    assert not rule.mutes(warning, warning) and not rule.mutes(warning, {**warning, "alertname": "B"})
    assert rule.mutes({**warning, "severity": "critical"}, warning)  # a critical one does
    assert rule.mutes(warning, {**warning, "severity": "info"})  # and a two-sided one mutes what only is a target
    assert not rule.mutes({**warning, "severity": "critical"}, {**warning, "instance": "other"})


def test_the_older_match_maps_and_a_bad_rule() -> None:
    rule = InhibitRule.parse({"source_match": {"alertname": "Down"}, "target_match_re": {"alertname": "Slow|Late"}},
                             ALERTMANAGER_VERSION)
    assert rule.mutes({"alertname": "Down"}, {"alertname": "Late"}) and not rule.mutes({"alertname": "Down"},
                                                                                       {"alertname": "Later"})
    with pytest.raises(ValueError, match="regex"):
        InhibitRule.parse({"source_matchers": ['a=~"("'], "target_matchers": ['b="c"']}, ALERTMANAGER_VERSION)


def test_the_ledger_refuses_inhibit_rules_it_cannot_read(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text("route:\n  receiver: ops\nreceivers:\n- name: ops\n"
                      "inhibit_rules:\n- source_matchers: [severity]\n")
    with pytest.raises(FileError, match="not name op value"):
        Routing(config)


def test_an_alert_muted_throughout_owes_nothing_and_a_notification_of_it_is_one_too_many() -> None:
    episode = Episode(API_DOWN, start=100, end=160)
    tally = _tally(episode, EMAIL, [], until=300, horizon=float("inf"), muted=[(98, 170)])
    assert (tally.expected_firing, tally.expected_resolved, tally.lost, tally.allowed_firing) == (0, 0, 0, 0)
    told = _mail(130, "firing", API_DOWN)
    assert _tally(episode, EMAIL, [told], until=300, horizon=float("inf"), muted=[(98, 170)]).duplicated == 1


def test_an_alert_outliving_its_cause_owes_both_notifications_from_then() -> None:
    episode = Episode(API_DOWN, start=100, end=160)
    records = [_mail(131, "firing", API_DOWN), _mail(165, "resolved", API_DOWN)]
    tally = _tally(episode, EMAIL, records, until=300, horizon=float("inf"), muted=[(98, 130)])
    assert (tally.expected_firing, tally.received_firing, tally.expected_resolved, tally.received_resolved,
            tally.lost, tally.duplicated) == (1, 1, 1, 1, 0, 0)
    briefly = _tally(episode, EMAIL, [], until=300, horizon=float("inf"), muted=[(98, 150)])
    assert briefly.expected_firing == 0  # told 10 s before it ended: the flush a group_interval on may miss it


def test_an_alert_muted_again_when_it_resolves_owes_no_resolution() -> None:
    episode = Episode(API_DOWN, start=100, end=160)
    records = [_mail(131, "firing", API_DOWN)]
    tally = _tally(episode, EMAIL, records, until=300, horizon=float("inf"), muted=[(98, 130), (155, 200)])
    assert (tally.expected_firing, tally.expected_resolved, tally.lost) == (1, 0, 0)


def test_a_cause_is_the_episodes_of_alerts_that_inhibit_it_joined() -> None:
    found = [Episode(CHECKOUT_ABSENT, 100, 130), Episode({**CHECKOUT_ABSENT, "escalation_level": "1"}, 120, 140),
             Episode(CHECKOUT_ABSENT, 1000, None), Episode(API_DOWN, 90, None), Episode({**API_DOWN, "job": "node"}, 0,
                                                                                        None)]
    tallies = account(found, ROUTING, [], until=2000)
    api = [t for t in tallies if t.episode.labels == API_DOWN]
    assert api and all(t.expected_firing == 1 and t.allowed_firing == 1 for t in api)  # told 140..1000
    assert muted_spans([found[0], found[1], found[2]], until=2000) == [(100, 140), (1000, 2000)]
    node = [t for t in tallies if t.episode.labels.get("job") == "node"]
    assert node and all(t.expected_firing == 1 for t in node)


def _mail(at: float, status: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"received": at, "rcpt_tos": ["oncall@company.com"], "text": " ".join(f"{k}={v}" for k, v in labels.items()),
            "subject": "[RESOLVED] x" if status == "resolved" else "[FIRING:1] x"}


# --- groups of several alerts: a dead job's SLIAbsent pages ---------------------------------------------------------

LATENCY_ABSENT = {**CHECKOUT_ABSENT, "alertname": "ApiLatencySLIAbsent", "service": "api", "slo": "latency"}
GROUPED = Delivery(("webhook", "/alerts"), True, 1, 10, 240, shown=("job", "sli"))


def _slack(at: float, title: str) -> dict[str, Any]:
    return {"received": at, "path": "/alerts", "answered": 200, "body": {"attachments": [{"title": title}]}}


def test_a_firing_groups_message_naming_an_alert_after_it_ended_tells_its_resolution() -> None:
    names = "ApiLatencySLIAbsent CheckoutAvailabilitySLIAbsent job=api sli=absent"
    records = [_slack(101, f"[FIRING:2] CRITICAL {names}"), _slack(125, f"[FIRING:1] CRITICAL {names}"),
               _slack(171, f"[RESOLVED] CRITICAL {names}")]
    found = [Episode(CHECKOUT_ABSENT, 100, 120), Episode(LATENCY_ABSENT, 100, 170)]
    checkout = _tally(found[0], GROUPED, records, 300, float("inf"), changes=(1, 1))
    assert (checkout.received_firing, checkout.received_resolved, checkout.lost, checkout.duplicated) == (1, 2, 0, 0)
    latency = _tally(found[1], GROUPED, records, 300, float("inf"), changes=(2, 0))
    assert (latency.received_firing, latency.received_resolved, latency.lost, latency.duplicated) == (2, 1, 0, 0)


def test_an_email_of_a_firing_group_tells_the_alerts_listed_as_resolved_since() -> None:
    def listed(labels: dict[str, str]) -> str:
        return "Labels: " + " ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    email = {"received": 125, "rcpt_tos": ["oncall@company.com"], "subject": "[FIRING:1] CRITICAL x",
             "text": f"{listed(LATENCY_ABSENT)}\nResolved since the last message:\n{listed(CHECKOUT_ABSENT)}\n"}
    assert _tally(Episode(CHECKOUT_ABSENT, 100, 120), EMAIL, [email], 300, float("inf")).received_resolved == 1
    assert _tally(Episode(LATENCY_ABSENT, 100, None), EMAIL, [email], 300, float("inf")).received_firing == 1
