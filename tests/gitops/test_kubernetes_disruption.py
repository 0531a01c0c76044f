"""A clustered server loses at most one replica to a voluntary disruption (a node drain, a cluster upgrade): a
PodDisruptionBudget per server of more than one replica, as kube-prometheus ships for alertmanager-main and
prometheus-k8s, selecting the pods by the labels the operator reserves for them."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from generator.model import Kubernetes
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.project import Project
from generator.package.kubernetes import servers
from tests.gitops.crd_schema import CRDS, validate
from tests.gitops.helpers import ROOT

SHIPPED = ROOT / "out/kubernetes"


def reserved_pod_labels(crd: str, name: str) -> dict[str, str]:
    """The pod labels a resource's CRD documents as set by the operator (its podMetadata's reserved items), with
    the resource's name filled in."""
    spec = json.loads((CRDS / crd).read_text())["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    text = spec["properties"]["spec"]["properties"]["podMetadata"]["description"]
    labels = {}
    for key, value in re.findall(r'\* "([^"]+)" label, set to (.+?)\.\n', text):
        labels[key] = value.strip('"') if value.startswith('"') else name if "name of the" in value else ""
    return {key: value for key, value in labels.items() if value}


def test_the_alertmanager_pair_keeps_a_replica_through_a_drain(project: Project) -> None:
    alertmanager = yaml.safe_load((SHIPPED / "alertmanager/alertmanager.yaml").read_text())
    assert alertmanager["spec"]["replicas"] == len(project.stack.alertmanagers) == 2
    budget: dict[str, Any] = yaml.safe_load((SHIPPED / "alertmanager/pod-disruption-budget.yaml").read_text())
    assert validate(budget) == []
    assert budget["spec"]["maxUnavailable"] == 1
    selector = budget["spec"]["selector"]["matchLabels"]
    reserved = reserved_pod_labels("alertmanagers-crd.json", alertmanager["metadata"]["name"])
    assert {"alertmanager": "obsgen", "app.kubernetes.io/name": "alertmanager"}.items() <= reserved.items()
    assert selector.items() <= reserved.items() and "alertmanager" in selector  # this Alertmanager's pods only
    kustomization = yaml.safe_load((SHIPPED / "kustomization.yaml").read_text())
    assert "alertmanager/pod-disruption-budget.yaml" in kustomization["resources"]


def test_a_lone_replica_gets_no_budget_which_would_block_every_drain(project: Project) -> None:
    """The shipped Prometheus runs one replica: a budget of maxUnavailable 1 would allow it, minAvailable 1 block
    every drain; neither is written, as kube-prometheus writes none for one replica."""
    assert "replicas" not in yaml.safe_load((SHIPPED / "prometheus/prometheus.yaml").read_text())["spec"]
    assert not (SHIPPED / "prometheus/pod-disruption-budget.yaml").exists()
    files = servers(project, Kubernetes(alertmanager_name="solo"), {PROMETHEUS_CONFIG: {"scrape_configs": []}})
    budget = files["kubernetes/alertmanager/pod-disruption-budget.yaml"]
    assert budget["metadata"]["name"] == "alertmanager-solo"
    assert budget["spec"]["selector"]["matchLabels"]["alertmanager"] == "solo"
    assert reserved_pod_labels("prometheuses-crd.json", "k8s")["prometheus"] == "k8s"  # what one would select


def test_a_budget_schema_violation_is_caught() -> None:
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "x"},
              "spec": {"minAvailable": 1, "maxUnavailable": "one", "selector": {"matchLabel": {}}}}
    errors = validate(budget)
    assert any("should not be valid" in e for e in errors)  # both minAvailable and maxUnavailable
    assert any("'one' is not valid under any of the given schemas" in e for e in errors)
    assert any("'matchLabel' was unexpected" in e for e in errors)
