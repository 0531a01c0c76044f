"""Alerts that never reach an Alertmanager page someone: on a real Prometheus whose Alertmanager does not answer.

Prometheus counts an alert it could deliver to no Alertmanager in prometheus_notifications_dropped_total (a full
queue, every Alertmanager refusing, none known); the shipped PrometheusNotificationsDropped watches that counter,
and PrometheusAlertmanagersMissing the Alertmanagers Prometheus knows against the definitions' pair.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests
import yaml

from generator.model.project import Project
from tests.servers import free_port, prometheus

DEADLINE = 60.0


def test_a_dropped_alert_pages_critical(project: Project) -> None:
    dropped = [alert for alert in project.alerts.values()
               if "prometheus_notifications_dropped_total" in alert.condition]
    assert [(alert.name, alert.severity) for alert in dropped] == [("PrometheusNotificationsDropped", "critical")]


def test_fewer_alertmanagers_known_than_the_definitions_configure_warns(project: Project) -> None:
    missing = project.alerts["PrometheusAlertmanagersMissing"]
    assert f"< {len(project.stack.alertmanagers)} > 0" in missing.condition
    assert missing.severity == "warning"


def test_the_dropped_alert_catches_a_real_prometheus_dropping_alerts(project: Project, tmp_path: Path) -> None:
    # an always-firing rule, sent every second to an Alertmanager port nobody listens on: every batch is dropped
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "probe", "interval": "1s", "rules": [
        {"alert": "Probe", "expr": "vector(1)"}]}]}))
    config = tmp_path / "prometheus.yml"
    port = free_port()
    config.write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["rules.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{free_port()}",
                                                                         f"127.0.0.1:{free_port()}"]}]}]},
        "scrape_configs": [{"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}],
    }))
    condition = project.alerts["PrometheusNotificationsDropped"].condition
    missing = project.alerts["PrometheusAlertmanagersMissing"].condition
    with prometheus(config, tmp_path, "--rules.alert.resend-delay=1s", port=port) as server:
        deadline, found = time.monotonic() + DEADLINE, list[dict[str, Any]]()
        while not found and time.monotonic() < deadline:
            time.sleep(1)
            found = _query(server.url, condition)
        # static targets are known whether they answer or not: an Alertmanager down is not one missing
        discovered = _query(server.url, "prometheus_notifications_alertmanagers_discovered")
        assert [sample["value"][1] for sample in discovered] == ["2"] and _query(server.url, missing) == []
    assert found, f"{condition} stayed empty for {DEADLINE:.0f} s while every alert was dropped"
    assert found[0]["metric"]["job"] == "prometheus"


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
    return list(answer["data"]["result"])
