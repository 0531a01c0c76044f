"""Every Alertmanager refusing a Prometheus' alerts, or none known: the drops are told, the cause waits (one outage,
one page).

On a real Prometheus, knowing no Alertmanager drops every alert it sends, as every one refusing them does
(test_notifications_lost). On promtool, the shipped rules: the drops' alert fires before either cause's, so it is
the one that may mute them (an inhibit rule mutes only what fires after its cause). On the real Alertmanager with
the shipped routes and inhibit rules: PrometheusNotificationErrors (escalation copies included) and
PrometheusNotConnectedToAlertmanagers are inhibited while PrometheusNotificationsDropped fires for the same
Prometheus, and so is PrometheusNotificationQueueRunningFull (a queue that overflows drops what it cannot hold), all
notified once the drops stop; another Prometheus' or stack's drops mute nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests import servers
from tests.e2e.inhibition import OUT, Sink, assert_muted_until_resolved, assert_not_muted_by, post, until

PROMETHEUS = {"job": "prometheus", "instance": "prometheus:9090"}
PLATFORM = {"platform": "ecommerce-rag"}
PAGE = {"severity": "critical", "escalation_policy": "default"}
DROPPED = {"alertname": "PrometheusNotificationsDropped", **PROMETHEUS, **PAGE, **PLATFORM}
ERRORS = {"alertname": "PrometheusNotificationErrors", **PROMETHEUS, **PAGE, **PLATFORM}
NOT_CONNECTED = {"alertname": "PrometheusNotConnectedToAlertmanagers", **PROMETHEUS, "severity": "warning",
                 **PLATFORM}
QUEUE_FULL = {"alertname": "PrometheusNotificationQueueRunningFull", **PROMETHEUS, "severity": "warning", **PLATFORM}
NOT_ESCALATED = {"escalation_level": ""}
"""Alertmanager's filter for the alert itself, not its escalation copies (an empty value matches none)."""
SELECTOR = '{job="prometheus",instance="prometheus:9090"'
REFUSED = {f'prometheus_notifications_{kind}_total{SELECTOR},alertmanager="http://am-{n}:9093/api/v2/alerts"}}'
           for kind in ("errors", "sent") for n in (1, 2)}
"""Prometheus sending to a pair, every batch refused by both."""


def test_a_prometheus_knowing_no_alertmanager_drops_every_alert(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "probe", "interval": "1s", "rules": [
        {"alert": "Probe", "expr": "vector(1)"}]}]}))
    port = servers.free_port()
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"}, "rule_files": ["rules.yml"],
        "scrape_configs": [{"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}]}))
    with servers.prometheus(tmp_path / "prometheus.yml", tmp_path, "--rules.alert.resend-delay=1s",
                            port=port) as server:
        assert until(lambda: _query(server.url, "prometheus_notifications_dropped_total > 2") != [], timeout=30)
        assert _query(server.url, "prometheus_notifications_alertmanagers_discovered") == ["0"]


def _query(url: str, expr: str) -> list[str]:
    answer = requests.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
    return [sample["value"][1] for sample in answer["data"]["result"]]


def _shipped_rules(*names: str) -> list[dict[str, Any]]:
    """The shipped rules of these alerts, annotations left out (promtool would compare them)."""
    groups = yaml.safe_load((OUT / "prometheus/rules/meta-monitoring.yml").read_text())["groups"]
    return [{k: v for k, v in rule.items() if k != "annotations"}
            for group in groups for rule in group["rules"] if rule.get("alert") in names]


def _expected(alert: dict[str, str], *at: str) -> list[dict[str, Any]]:
    """promtool's expectation: the alert firing (with the rule's labels) at each of these times."""
    labels = {k: v for k, v in alert.items() if k not in ("alertname", "platform")}  # Prometheus adds the platform
    return [{"eval_time": when, "alertname": alert["alertname"], "exp_alerts": [{"exp_labels": labels}]}
            for when in at]


def _not_yet(alert: dict[str, str], at: str) -> dict[str, Any]:
    return {"eval_time": at, "alertname": alert["alertname"], "exp_alerts": []}


def test_the_drops_fire_before_either_cause(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "sending", "rules": _shipped_rules(
        DROPPED["alertname"], ERRORS["alertname"], NOT_CONNECTED["alertname"])}]}))
    dropping = {"series": f"prometheus_notifications_dropped_total{SELECTOR}}}", "values": "0+3x30"}
    result = servers.promtool_test({
        "rule_files": ["rules.yml"], "evaluation_interval": "1m",
        "tests": [
            {"interval": "1m",  # both Alertmanagers refuse every batch from the start
             "input_series": [dropping, *({"series": series, "values": "0+3x30"} for series in sorted(REFUSED))],
             "alert_rule_test": [*_expected(DROPPED, "8m"), _not_yet(ERRORS, "12m"), *_expected(ERRORS, "20m")]},
            {"interval": "1m",  # none known from the start
             "input_series": [dropping, {"series": f"prometheus_notifications_alertmanagers_discovered{SELECTOR}}}",
                                         "values": "0x30"}],
             "alert_rule_test": [*_expected(DROPPED, "8m"), _not_yet(NOT_CONNECTED, "8m"),
                                 *_expected(NOT_CONNECTED, "12m")]},
        ],
    }, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("muted", [{**ERRORS, **NOT_ESCALATED}, {**ERRORS, "escalation_level": "1"}, NOT_CONNECTED,
                                   QUEUE_FULL],
                         ids=["every Alertmanager failing", "its escalation", "none known", "its queue filling"])
def test_the_drops_mute_their_cause_until_they_stop(inhibiting_alertmanager: tuple[str, Sink],
                                                    muted: dict[str, str]) -> None:
    url, sink = inhibiting_alertmanager
    posted = {k: v for k, v in muted.items() if v}
    since = post(url, DROPPED, posted)
    assert until(lambda: sink.seen(DROPPED))
    # every batch lands somewhere again, yet the cause still fires: now it is news
    assert_muted_until_resolved(url, sink, DROPPED, posted, since, selector=muted)


@pytest.mark.parametrize("cause", [{**DROPPED, "instance": "prometheus-2:9090"}, {**DROPPED, "platform": "another"}],
                         ids=["another Prometheus dropping", "another stack's Prometheus dropping"])
def test_only_the_same_prometheus_dropping_mutes_it(inhibiting_alertmanager: tuple[str, Sink],
                                                    cause: dict[str, str]) -> None:
    assert_not_muted_by(*inhibiting_alertmanager, cause, ERRORS)
