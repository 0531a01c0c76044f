"""The shipped routing tree and inhibit rules on the real Alertmanager: one incident, one notification.

Alerts are posted as Prometheus sends them (the labels of the shipped rules); the receivers are emptied so nothing
leaves the machine, the routes, grouping and inhibit rules are the shipped ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("grouping")
    document = yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())
    document["receivers"] = [{"name": receiver["name"]} for receiver in document["receivers"]]
    document.pop("templates", None)
    config = workdir / "alertmanager.yml"
    config.write_text(yaml.safe_dump(document))
    with servers.alertmanager(config, workdir) as server:
        yield server.url


def _rule_labels(path: Path, name: str) -> list[dict[str, str]]:
    """The labels each rule of this name in the file gives its alert (the alert and its escalation copies)."""
    return [{"alertname": name, **{k: str(v) for k, v in (rule.get("labels") or {}).items()}}
            for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]
            if rule.get("alert") == name]


def _post(url: str, labelled: list[dict[str, str]]) -> None:
    alerts = [{"labels": labels, "annotations": {"summary": "probe"}} for labels in labelled]
    requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()


def _states(url: str, alertname: str, expected: int, muted: int) -> dict[tuple[str, str], dict[str, Any]]:
    """(window, escalation level) -> the alert's status, once Alertmanager holds `expected` of them and `muted` are
    suppressed, or 20 s have passed. The inhibitor learns of a source alert on a goroutine of its own: an alert the
    API reads first is processed and active until then (seen on a loaded machine)."""
    deadline = time.monotonic() + 20
    while True:
        found = requests.get(f"{url}/api/v2/alerts", params={"filter": f'alertname=~"{alertname}"'}, timeout=10).json()
        states = {(a["labels"].get("window", ""), a["labels"].get("escalation_level", "")): a["status"]
                  for a in found}
        settled = len(states) == expected and all(s["state"] != "unprocessed" for s in states.values()) and sum(
            s["state"] == "suppressed" for s in states.values()) >= muted
        if settled or time.monotonic() > deadline:
            return states
        time.sleep(0.2)


def _groups(url: str, alertname: str, expected: int) -> list[dict[str, Any]]:
    """The alert's groups (one notification each), once there are `expected` of them or 20 s have passed."""
    deadline = time.monotonic() + 20
    while True:
        groups = [g for g in requests.get(f"{url}/api/v2/alerts/groups", timeout=10).json()
                  if g["labels"].get("alertname") == alertname]
        if len(groups) >= expected or time.monotonic() > deadline:
            return groups
        time.sleep(0.2)


def test_a_fast_burn_of_one_slo_notifies_once_and_climbs_one_ladder(alertmanager: str) -> None:
    """Every checkout outage of a few minutes fires the 1h and 6h pages, their level-1 copies and both tickets; the
    1h page and its ladder speak for all of them (the rest were two more emails to on-call, a second ladder)."""
    rules = OUT / "prometheus/rules"
    windows = [f"CheckoutAvailabilityBudgetBurn{w}" for w in ("1h", "6h", "1d", "3d")]
    alerts = {name: labels for name in windows
              for labels in _rule_labels(rules / "slo-checkout-availability.yml", name)}
    # a copy's alert carries the labels of the alert it reads from ALERTS, and its own level
    copies = [{**alerts[name], **labels} for name in windows[:2]
              for labels in _rule_labels(rules / "escalation-default-slo-checkout-availability.yml", name)
              if labels["escalation_level"] == "1"]
    labelled = [*alerts.values(), *copies]
    _post(alertmanager, labelled)
    states = _states(alertmanager, "CheckoutAvailabilityBudgetBurn.*", expected=6, muted=4)
    active = sorted(key for key, status in states.items() if status["state"] == "active")
    assert active == [("1h", ""), ("1h", "1")], states
    assert all(status["inhibitedBy"] for key, status in states.items() if key not in active)


def test_two_targets_down_are_two_notifications_not_one_group(alertmanager: str) -> None:
    """TargetDown carries neither service nor instance: grouped by them only, a second job down joined the first's
    group and waited for its group_interval (5 minutes for a warning) instead of group_wait."""
    _post(alertmanager, [{"alertname": "TargetDown", "severity": "warning", "job": job} for job in ("api", "loki")])
    groups = _groups(alertmanager, "TargetDown", expected=2)
    assert sorted(g["labels"].get("job", "") for g in groups) == ["api", "loki"]


def test_one_log_alert_of_two_services_is_two_notifications(alertmanager: str) -> None:
    """Loki's alerts name the service by its stream label service_name (they have no service, instance or job):
    RagEngineTimeouts of two services must not share one notification, its title naming one service, its
    acknowledgement silencing both."""
    base, = (labels for labels in _rule_labels(OUT / "loki/rules/fake/log-alerts.yaml", "RagEngineTimeouts")
             if "escalation_level" not in labels)
    _post(alertmanager, [{**base, "service_name": service} for service in ("rag-engine", "rag-engine-eu")])
    groups = _groups(alertmanager, "RagEngineTimeouts", expected=2)
    assert sorted(g["labels"].get("service_name", "") for g in groups) == ["rag-engine", "rag-engine-eu"], groups
