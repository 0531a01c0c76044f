"""out/kubernetes/ runs the servers too: an Alertmanager pair the operator clusters, a Prometheus restoring `for`."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from generator.derive.for_state import for_state
from generator.model import Kubernetes
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.project import Project
from generator.package.kubernetes import MONITOR_SELECTORS, Rendered, servers
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
    assert spec["alerting"]["alertmanagers"] == [{"namespace": "monitoring", "name": "alertmanager-obsgen",
                                                  "port": "web"}]
    state = for_state(project)
    assert spec["rules"]["alert"] == {"forGracePeriod": state.grace_period,
                                      "forOutageTolerance": state.outage_tolerance}


def test_servers_owned_by_another_installation_are_left_out(project: Project) -> None:
    rendered: Rendered = {PROMETHEUS_CONFIG: {"scrape_configs": []}}
    assert servers(project, Kubernetes(servers=False), rendered) == {}
    kinds = {document["kind"] for document in servers(project, Kubernetes(), rendered).values()}
    assert kinds == {"Prometheus", "Alertmanager", "ServiceAccount", "Role", "RoleBinding", "Secret", "Service",
                     "PodDisruptionBudget", "ClusterRole", "ClusterRoleBinding"}  # the node job's token scrape


def test_the_operator_manages_the_prometheus_configuration() -> None:
    """With its ServiceMonitor, PodMonitor, Probe and ScrapeConfig selectors all null, the operator leaves the
    configuration to the user (the CRD's serviceMonitorSelector): a Prometheus with no scrapes, rules or
    Alertmanagers."""
    spec = _shipped("prometheus/prometheus.yaml")["spec"]
    labelled = {"matchLabels": {"prometheus": "obsgen"}}  # its namespace's monitors labelled for it
    assert [spec.get(selector) for selector in MONITOR_SELECTORS] == [labelled] * 4


def test_prometheus_runs_as_an_account_allowed_to_discover_the_alertmanagers() -> None:
    """The operator sends alerts through endpointslice discovery of alertmanager-obsgen (serviceDiscoveryRole): the
    default account may not list EndpointSlices, and Prometheus would send to no Alertmanager."""
    spec = _shipped("prometheus/prometheus.yaml")["spec"]
    account, role, binding = (_shipped(f"prometheus/{name}.yaml")
                              for name in ("service-account", "role", "role-binding"))
    assert all(validate(document) == [] for document in (account, role, binding))
    assert account["metadata"]["name"] == spec["serviceAccountName"]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": role["metadata"]["name"]}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": spec["serviceAccountName"],
                                    "namespace": "monitoring"}]
    granted = {(group, resource, verb) for rule in role["rules"] for group in rule["apiGroups"]
               for resource in rule["resources"] for verb in rule["verbs"]}
    assert spec["serviceDiscoveryRole"] == "EndpointSlice"  # the operator's alertmanager-obsgen discovery
    assert {("discovery.k8s.io", "endpointslices", "list"), ("discovery.k8s.io", "endpointslices", "watch"),
            ("", "pods", "list"), ("", "services", "list")} <= granted



def test_prometheus_and_alertmanager_keep_their_state_on_volumes_that_outlive_the_pod(project: Project) -> None:
    """Without storage the operator gives each pod an emptyDir: a restarted Prometheus has lost its samples and every
    alert's `for` state (escalations start over), a restarted lone Alertmanager its notification log (pages sent
    twice) and silences. The TSDB is bounded 10% below its claim: a full volume stops Prometheus."""
    prometheus, alertmanager = (_shipped(f"{kind}/{kind}.yaml")["spec"] for kind in ("prometheus", "alertmanager"))
    claims = [spec["storage"]["volumeClaimTemplate"]["spec"] for spec in (prometheus, alertmanager)]
    assert [claim["resources"]["requests"]["storage"] for claim in claims] == ["50Gi", "1Gi"]
    assert all(claim["accessModes"] == ["ReadWriteOnce"] and "storageClassName" not in claim for claim in claims)
    assert prometheus["retentionSize"] == "46080MB"  # 90% of 50 GiB in Prometheus' base-2 MB
    classed = servers(project, Kubernetes(storage_class="fast-ssd", prometheus_storage="2Ti"),
                      {PROMETHEUS_CONFIG: {"scrape_configs": []}})
    spec = classed["kubernetes/prometheus/prometheus.yaml"]["spec"]
    assert spec["storage"]["volumeClaimTemplate"]["spec"]["storageClassName"] == "fast-ssd"
    assert spec["retentionSize"] == f"{2 * 1024 * 1024 * 9 // 10}MB"
    assert validate(classed["kubernetes/prometheus/prometheus.yaml"]) == []
    for size in ("50GB", "0Gi", "1.5Gi", "50"):
        with pytest.raises(ValidationError, match="is not a size in Mi, Gi or Ti"):
            Kubernetes(prometheus_storage=size)
