"""out/kubernetes/ runs the servers too: an Alertmanager pair the operator clusters, a Prometheus restoring `for`."""

from __future__ import annotations

from typing import Any

import yaml

from generator.derive.for_state import for_state
from generator.model import Kubernetes
from generator.model.project import Project
from generator.package.kubernetes import servers
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import ROOT


def _shipped(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "out/kubernetes" / name).read_text()))


def test_the_alertmanager_resource_has_a_replica_per_alertmanager_prometheus_sends_to(project: Project) -> None:
    alertmanager = _shipped("alertmanager/alertmanager.yaml")
    assert validate(alertmanager) == []
    assert alertmanager["spec"]["replicas"] == len(project.stack.alertmanagers) == 2
    assert alertmanager["spec"]["secrets"] == ["alertmanager-credentials"]  # where credential_path points
    config = _shipped("alertmanager/config-secret.yaml")["metadata"]["name"]
    assert config == f"alertmanager-{alertmanager['metadata']['name']}"  # the operator's default configSecret


def test_the_prometheus_resource_selects_the_rules_sends_to_every_replica_and_restores_for_state(
        project: Project) -> None:
    prometheus = _shipped("prometheus/prometheus.yaml")
    assert validate(prometheus) == []
    spec = prometheus["spec"]
    rule = _shipped(next(str(p.relative_to(ROOT / "out/kubernetes"))
                         for p in (ROOT / "out/kubernetes/prometheusrules").glob("*.yaml")))
    assert spec["ruleSelector"]["matchLabels"].items() <= rule["metadata"]["labels"].items()
    assert spec["alerting"]["alertmanagers"] == [{"namespace": "monitoring", "name": "alertmanager-operated",
                                                  "port": "web"}]
    state = for_state(project)
    assert spec["rules"]["alert"] == {"forGracePeriod": state.grace_period,
                                      "forOutageTolerance": state.outage_tolerance}


def test_servers_owned_by_another_installation_are_left_out(project: Project) -> None:
    assert servers(project, Kubernetes(servers=False), {}) == {}
    kinds = {document["kind"] for document in servers(project, Kubernetes(), {}).values()}
    assert kinds == {"Prometheus", "Alertmanager"}

