"""obsgen's group keys are Alertmanager's own: on a real Alertmanager 0.25 with the shipped routes, every webhook
notification's groupKey is the key generator.core.group_key computes for its receiver and alerts, and every
PagerDuty event's dedup_key is that key's sha256. obsgen diff and apply warn of orphaned incidents from these keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core.alert_routing import RouteTree
from generator.core.group_key import dedup_key, groupings
from generator.live.releases import installed
from tests.e2e.inhibition import OUT, Sink, post, quiet_since, rule_alert, shipped_alertmanager, until

PLATFORM = {"platform": "ecommerce-rag"}
ODD = 'host "1"\\a\tb\nc é \u200b'
"""An instance label needing every kind of quoting: a quote, a backslash, a tab, a newline, Unicode printable and
not (a zero-width space), which Go's %q writes in its own way."""
ALERTS = [
    {"alertname": "Watchdog", "severity": "none", **PLATFORM},
    {"alertname": "CpuHigh", "severity": "critical", "escalation_policy": "default", "instance": ODD, **PLATFORM},
    {"alertname": "CheckoutDown", "severity": "emergency", "escalation_policy": "default", "service": "checkout",
     **PLATFORM},
    *({"alertname": "CheckoutAvailabilityBudgetBurn1h", "severity": "critical", "escalation_policy": "default",
       "service": "checkout", "slo": "availability", "window": "1h", **PLATFORM, **level}
      for level in ({}, {"escalation_level": "1"}, {"escalation_level": "3"})),
    {**rule_alert("CheckoutAvailabilitySLIAbsent", PLATFORM), "job": "api"},
    {**rule_alert("CheckoutAvailabilitySLIAbsent", PLATFORM), "job": "api", "escalation_level": "3"},
    {"alertname": "DiskSlow", "severity": "warning", "instance": "db-1", **PLATFORM},
]


@pytest.fixture
def paging_alertmanager(tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    with shipped_alertmanager(tmp_path, keep_pagerduty=True) as served:
        yield served


def _shipped() -> dict[str, Any]:
    return dict(yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text()))


def test_computed_group_keys_are_alertmanagers(paging_alertmanager: tuple[str, Sink]) -> None:
    url, sink = paging_alertmanager
    config = _shipped()
    paging = {r["name"] for r in config["receivers"] if r.get("pagerduty_configs")}
    tree = RouteTree.read(config["route"], installed())
    expected_pages = {dedup_key(grouping.group_key(labels)) for labels in ALERTS
                      for grouping in groupings(tree, labels) if grouping.receiver in paging}
    posted = post(url, *ALERTS)
    assert until(lambda: len({event["dedup_key"] for _, event in sink.pagerduty}) >= len(expected_pages))
    quiet_since(posted)
    with sink.lock:
        notifications, events = list(sink.notifications), list(sink.pagerduty)
    assert len(notifications) >= 6, notifications
    for notification in notifications:
        computed = {grouping.group_key(alert["labels"]) for alert in notification["alerts"]
                    for grouping in groupings(tree, alert["labels"])
                    if grouping.receiver == notification["receiver"]}
        assert computed == {notification["groupKey"]}, notification
    assert {event["dedup_key"] for _, event in events} == expected_pages
    assert len(expected_pages) >= 3


ESCAPED: dict[str, Any] = {
    "route": {"receiver": "a", "group_by": ["alertname"], "group_wait": "1s", "group_interval": "1s", "routes": [
    {"receiver": "b", "group_by": ["..."], "continue": True,
     "matchers": ['team="ops"', r'msg=~"say \"hi\"|x\\\\y"', 'msg!="a"', 'msg!~"z"', r'msg!="a\tb"']},
    {"receiver": "e", "continue": True, "matchers": ['team="ops", msg=~"say.*"', "{env=prod,zone2=x}"]},
    {"receiver": "c", "match": {"team": "ops"}, "match_re": {"env": "prod|dev"},
     "routes": [{"receiver": "d", "group_by": [], "matchers": [r'zone="é\nb"']}]}]},
    "receivers": [{"name": name} for name in "abcde"]}
"""Matchers whose key needs Alertmanager's order (name, then value, then type) and escaping (a quote, a backslash,
a newline; the classic parser keeps the backslash of \\t), the older match/match_re maps (a match_re value is keyed
anchored), group_by "..." (every label) and group_by [] (no setting: the parent's, config.Route's GroupBy nil), and
lines of `matchers` holding two matchers each, quoted, or bare and braced (config.Matchers appends every matcher of a
line: route e's key holds all four)."""


def test_keys_of_escaped_sorted_and_older_matchers_are_alertmanagers(tmp_path: Path) -> None:
    alert = {"alertname": "Odd", "team": "ops", "msg": 'say "hi"', "env": "prod", "zone": "é\nb", "zone2": "x"}
    with shipped_alertmanager(tmp_path, compiled=yaml.safe_load(yaml.safe_dump(ESCAPED))) as (url, sink):
        posted = post(url, alert)
        assert until(lambda: len(sink.notifications) >= 3)
        quiet_since(posted)
    by_receiver = {n["receiver"]: n["groupKey"] for n in sink.notifications}
    release = installed()
    tree = RouteTree.read(ESCAPED["route"], release)
    computed = {route.receiver: route.group_key(alert) for route in groupings(tree, alert)}
    assert release == "0.25.0"  # whose prometheus/common sorts `zone2="x"` before `zone="..."` ("2" < "=")
    assert by_receiver == computed == {
        "b": r'{}/{msg!="a",msg!="a\\tb",msg=~"say \"hi\"|x\\\\y",msg!~"z",team="ops"}:{alertname="Odd", '
             r'env="prod", msg="say \"hi\"", team="ops", zone2="x", zone="é\nb"}',
        "e": r'{}/{env="prod",msg=~"say.*",team="ops",zone2="x"}:{alertname="Odd"}',
        "d": r'{}/{env=~"^(?:prod|dev)$",team="ops"}/{zone="é\nb"}:{alertname="Odd"}'}
