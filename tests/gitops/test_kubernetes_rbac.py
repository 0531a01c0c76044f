"""Prometheus' account may read, in each namespace it discovers in, what its discovery reads there and nothing more.

What each Kubernetes SD role reads is upstream's discovery/kubernetes/kubernetes.go (Discovery.Run): an informer,
listing and watching, per resource below. The roles used are the scrape configs' (kubernetes_sd_configs, by
namespace), and in Prometheus' own namespace the operator's: its serviceDiscoveryRole for ServiceMonitors and the
Alertmanagers, pod for PodMonitors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.gitops.crd_schema import validate
from tests.gitops.helpers import ROOT

READS = {
    "endpointslice": {("discovery.k8s.io", "endpointslices"), ("", "services"), ("", "pods")},
    "endpoints": {("", "endpoints"), ("", "services"), ("", "pods")},
    "pod": {("", "pods")},
    "service": {("", "services")},
}
OPERATOR_ROLES = {"EndpointSlice": "endpointslice", "Endpoints": "endpoints"}
VERBS = {"get", "list", "watch"}  # an informer lists and watches; get as kube-prometheus grants it
KUBERNETES = ROOT / "out/kubernetes"


def _document(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def needed() -> dict[str, set[tuple[str, str, str]]]:
    """(API group, resource, verb) each namespace's discovery reads, from the shipped Prometheus and its scrape
    configs."""
    prometheus = _document(KUBERNETES / "prometheus/prometheus.yaml")
    spec, namespace = prometheus["spec"], prometheus["metadata"]["namespace"]
    secret = _document(KUBERNETES / "prometheus/scrape-configs-secret.yaml")
    configs = yaml.safe_load(secret["stringData"][spec["additionalScrapeConfigs"]["key"]])
    roles = {namespace: {OPERATOR_ROLES[spec.get("serviceDiscoveryRole", "Endpoints")], "pod"}}
    for config in configs:
        for block in config.get("kubernetes_sd_configs", []):
            for name in block["namespaces"]["names"]:
                roles.setdefault(name, set()).add(block["role"])
    return {name: {(group, resource, verb) for role in used for group, resource in READS[role] for verb in VERBS}
            for name, used in roles.items()}


def test_each_role_grants_exactly_what_discovery_in_its_namespace_reads() -> None:
    account = _document(KUBERNETES / "prometheus/prometheus.yaml")["spec"]["serviceAccountName"]
    roles = [_document(path) for path in sorted((KUBERNETES / "prometheus").glob("*.yaml"))]
    granted: dict[str, set[tuple[str, str, str]]] = {}
    for role in (document for document in roles if document["kind"] == "Role"):
        assert validate(role) == [] and role["metadata"]["name"] == account
        for rule in role["rules"]:
            assert set(rule) == {"apiGroups", "resources", "verbs"}, rule  # no resourceNames, no wildcards
            assert "*" not in rule["apiGroups"] + rule["resources"] + rule["verbs"], rule
            granted.setdefault(role["metadata"]["namespace"], set()).update(
                (group, resource, verb) for group in rule["apiGroups"] for resource in rule["resources"]
                for verb in rule["verbs"])
    assert granted == needed()
    assert set(needed()) == {"monitoring", "logging", "shop"}
    assert not any(document["kind"] in {"ClusterRole", "ClusterRoleBinding"} for document in roles)
