"""Every Alertmanager refusing a Prometheus' alerts: the drops are told, the errors wait (one outage, one page).

On promtool, the shipped rules: the drops' alert fires first, so it is the one that may mute the other (an inhibit
rule mutes only what fires after its cause). On the real Alertmanager with the shipped routes and inhibit rules:
PrometheusNotificationErrors is inhibited, escalation copies included, while PrometheusNotificationsDropped fires
for the same Prometheus, and notified once the drops stop; another Prometheus' or stack's drops mute nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import servers
from tests.e2e.inhibition import OUT, SETTLE, Sink, assert_not_muted_by, post, status, until

PROMETHEUS = {"job": "prometheus", "instance": "prometheus:9090"}
SENT_AS = {**PROMETHEUS, "severity": "critical", "escalation_policy": "default", "platform": "ecommerce-rag"}
DROPPED = {"alertname": "PrometheusNotificationsDropped", **SENT_AS}
ERRORS = {"alertname": "PrometheusNotificationErrors", **SENT_AS}
ERRORS_ESCALATED = {**ERRORS, "escalation_level": "1"}
NOT_ESCALATED = {"escalation_level": ""}
"""Alertmanager's filter for the alert itself, not its escalation copies (an empty value matches none)."""


def _shipped_rules(*names: str) -> list[dict[str, Any]]:
    """The shipped rules of these alerts, annotations left out (promtool would compare them)."""
    groups = yaml.safe_load((OUT / "prometheus/rules/meta-monitoring.yml").read_text())["groups"]
    return [{k: v for k, v in rule.items() if k != "annotations"}
            for group in groups for rule in group["rules"] if rule.get("alert") in names]


def test_every_alertmanager_refusing_fires_the_drops_first(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [
        {"name": "sending", "rules": _shipped_rules(DROPPED["alertname"], ERRORS["alertname"])}]}))
    instance = '{job="prometheus",instance="prometheus:9090"'
    refusing = {f'prometheus_notifications_{kind}_total{instance},alertmanager="http://am-{n}:9093/api/v2/alerts"}}'
                for kind in ("errors", "sent") for n in (1, 2)}
    labels = {**PROMETHEUS, "severity": "critical", "escalation_policy": "default"}
    result = servers.promtool_test({
        "rule_files": ["rules.yml"], "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [{"series": f"prometheus_notifications_dropped_total{instance}}}", "values": "0+3x30"},
                             *({"series": series, "values": "0+3x30"} for series in sorted(refusing))],
            "alert_rule_test": [
                {"eval_time": "12m", "alertname": DROPPED["alertname"], "exp_alerts": [{"exp_labels": labels}]},
                {"eval_time": "12m", "alertname": ERRORS["alertname"], "exp_alerts": []},
                {"eval_time": "20m", "alertname": ERRORS["alertname"], "exp_alerts": [{"exp_labels": labels}]},
            ],
        }],
    }, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_drops_mute_every_alertmanager_failing_until_they_stop(inhibiting_alertmanager: tuple[str, Sink]) -> None:
    url, sink = inhibiting_alertmanager
    post(url, DROPPED, ERRORS, ERRORS_ESCALATED)
    assert until(lambda: sink.seen(DROPPED))
    for muted in ({**ERRORS, **NOT_ESCALATED}, ERRORS_ESCALATED):
        found = status(url, muted)
        assert found["state"] == "suppressed" and found["inhibitedBy"], found
    time.sleep(SETTLE)  # several group intervals: still not told
    assert not sink.seen(ERRORS) and not sink.seen(ERRORS_ESCALATED)

    post(url, DROPPED, resolved=True)  # every batch lands somewhere again, yet too many fail: now it is news
    assert until(lambda: sink.seen(ERRORS)), "the errors alert was not notified once the drops stopped"
    assert status(url, {**ERRORS, **NOT_ESCALATED})["state"] == "active"


@pytest.mark.parametrize("cause", [{**DROPPED, "instance": "prometheus-2:9090"}, {**DROPPED, "platform": "another"}],
                         ids=["another Prometheus dropping", "another stack's Prometheus dropping"])
def test_only_the_same_prometheus_dropping_mutes_it(inhibiting_alertmanager: tuple[str, Sink],
                                                    cause: dict[str, str]) -> None:
    assert_not_muted_by(*inhibiting_alertmanager, cause, ERRORS)
