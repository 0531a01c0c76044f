"""Two stacks' Loki rulers sharing one Alertmanager: the same log alert of each is a notification of its own,
acknowledged alone.

Loki cannot run here, so each alert is posted as its ruler sends it: the rule's labels in out/loki/rules, the labels
of the LogQL result, then each of the ruler's external_labels the alert lacks. Loki hands ruler.external_labels to
Prometheus' notifier as its global external_labels (pkg/ruler/base/manager.go, buildNotifierConfig), whose
relabelAlerts sets each only where `a.Labels.Get(name) == ""` (notifier/alert.go). The shipped stack's labels are
those of out/loki/loki.yaml; the other stack's, those of the loki.yaml obsgen writes for it (platform=payments).
"""

from __future__ import annotations

import dataclasses
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from generator.model import LogStorage
from generator.model.project import Project
from generator.targets import loki
from tests.amtool_render import render
from tests.e2e.inhibition import OUT, Sink, post, quiet_since, until

ALERT = "RagEngineTimeouts"
RESULT = {"service_name": "rag-engine"}
"""The alert's LogQL result: `sum by (service_name) (...)` over the rag-engine stream."""
OTHER = {"platform": "payments"}
"""Another stack's external labels, whose Loki sends to the same Alertmanager."""


def _ruler_labels(config: dict[str, Any]) -> dict[str, str]:
    """The external labels a ruler with this loki.yaml adds to its alerts."""
    return {name: str(value) for name, value in (config["ruler"].get("external_labels") or {}).items()}


def _other_stack(project: Project) -> dict[str, Any]:
    """The loki.yaml obsgen writes for the shipped definitions with the other stack's external labels."""
    other = dataclasses.replace(project, stack=project.stack.model_copy(update={"external_labels": OTHER}))
    return loki.config(other, project.all(LogStorage)[0])


def ruler_alert(name: str, result: dict[str, str], config: dict[str, Any]) -> dict[str, str]:
    """The labels of the log alert of that name as the ruler of this loki.yaml sends it: the rule's (the first of
    that name, not an escalation copy), the result's, then each of the ruler's external labels it lacks."""
    for path in sorted((OUT / "loki/rules/fake").glob("*.yaml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                labels = {k: str(v) for k, v in (rule.get("labels") or {}).items()}
                if rule.get("alert") == name and "escalation_level" not in labels:
                    alert = {"alertname": name, **result, **labels}
                    return {**_ruler_labels(config), **alert}  # the alert's own win, as in relabelAlerts
    raise AssertionError(f"no log alert {name} in out/")


@pytest.fixture
def two_stacks(project: Project) -> tuple[dict[str, str], dict[str, str]]:
    """The alert as the shipped stack's ruler sends it, and as the other stack's."""
    shipped = yaml.safe_load((OUT / "loki/loki.yaml").read_text())
    return ruler_alert(ALERT, RESULT, shipped), ruler_alert(ALERT, RESULT, _other_stack(project))


def _told(sink: Sink) -> list[dict[str, Any]]:
    """The firing notifications of the alert, as Alertmanager posted them."""
    with sink.lock:
        return [body for body in sink.notifications if body["status"] == "firing"
                and all(alert["labels"]["alertname"] == ALERT for alert in body["alerts"])]


def _stacks_by_receiver(sink: Sink) -> dict[str, list[list[str]]]:
    """Each notified receiver's notifications, as the platform of each alert they tell ("" without one)."""
    told: dict[str, list[list[str]]] = {}
    for body in _told(sink):
        platforms = sorted(alert["labels"].get("platform", "") for alert in body["alerts"])
        told.setdefault(body["receiver"], []).append(platforms)
    return {receiver: sorted(bodies) for receiver, bodies in told.items()}


def _silenced(url: str) -> list[tuple[str, bool]]:
    """Each held alert's platform ("" without one), whether a silence mutes it."""
    alerts = requests.get(f"{url}/api/v2/alerts", timeout=10).json()
    return sorted((a["labels"].get("platform", ""), bool(a["status"]["silencedBy"])) for a in alerts)


def test_the_same_log_alert_of_two_stacks_is_two_notifications_each_acknowledged_alone(
        inhibiting_alertmanager: tuple[str, Sink], two_stacks: tuple[dict[str, str], dict[str, str]],
        tmp_path: Path) -> None:
    url, sink = inhibiting_alertmanager
    home, other = two_stacks
    posted = post(url, home, other)
    assert until(lambda: bool(_told(sink)))
    quiet_since(posted)  # both groups' first flushes (group_wait 1 s) have passed: both are told, together or apart
    told = _stacks_by_receiver(sink)
    assert told and all(bodies == [["ecommerce-rag"], ["payments"]] for bodies in told.values()), told
    mine = next(body for body in _told(sink) if body["groupLabels"].get("platform") == "ecommerce-rag")
    command = shlex.split(render(f"{OUT / 'alertmanager/templates'}/*.tmpl", '{{ template "obsgen.ack.command" . }}',
                                 mine, tmp_path))
    assert command[:3] == ["obsgen", "ack", ALERT], command
    acked = subprocess.run([sys.executable, "-m", "generator", *command[1:], "--out", str(OUT)],
                           capture_output=True, text=True, timeout=60)
    assert acked.returncode == 0, acked.stderr
    assert until(lambda: _silenced(url) == [("ecommerce-rag", True), ("payments", False)]), _silenced(url)
