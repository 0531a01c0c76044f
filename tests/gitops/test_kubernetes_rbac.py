"""Prometheus' account may read, in each namespace it discovers in, what its discovery reads there and nothing more;
and get, as a non-resource URL, each path it scrapes with its own token, which kube-rbac-proxy asks the API server.

What each Kubernetes SD role reads is upstream's discovery/kubernetes/kubernetes.go (Discovery.Run): an informer,
listing and watching, per resource below. The roles used are the scrape configs' (kubernetes_sd_configs, by
namespace), and in Prometheus' own namespace the operator's: its serviceDiscoveryRole for ServiceMonitors and the
Alertmanagers, pod for PodMonitors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from generator.model import ClusterEndpoint, Kubernetes, ScrapeJob, Source
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN
from generator.model.project import Project
from generator.package.kubernetes import servers
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import ROOT
from tests.gitops.rbac_authorizer import allows_non_resource

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
    # cluster-wide, only what no Role can grant: non-resource URLs (test below)
    cluster_rules = [rule for document in roles if document["kind"] == "ClusterRole" for rule in document["rules"]]
    assert cluster_rules and all(set(rule) == {"nonResourceURLs", "verbs"} for rule in cluster_rules)


def _shipped_objects() -> list[dict[str, Any]]:
    return [_document(path) for path in sorted(KUBERNETES.rglob("*.yaml")) if path.name != "kustomization.yaml"]


def _scraped_with_own_token(files: dict[str, Any] | None = None) -> list[str]:
    """The paths the cluster scrape configs get with Prometheus' ServiceAccount token."""
    secret = (files or {}).get("kubernetes/prometheus/scrape-configs-secret.yaml") or _document(
        KUBERNETES / "prometheus/scrape-configs-secret.yaml")
    return [config.get("metrics_path", "/metrics") for config in yaml.safe_load(secret["stringData"][
        "scrape-configs.yaml"]) if config.get("authorization", {}).get("credentials_file") == SERVICE_ACCOUNT_TOKEN]


def test_prometheus_may_get_each_path_it_scrapes_with_its_own_token() -> None:
    """kube-rbac-proxy in front of kube-prometheus' node-exporter lets the node job through only when the API server
    allows its token's ServiceAccount `get` on the request's path (a SubjectAccessReview with no resource)."""
    objects = _shipped_objects()
    prometheus = _document(KUBERNETES / "prometheus/prometheus.yaml")
    account = (prometheus["metadata"]["namespace"], prometheus["spec"]["serviceAccountName"])
    assert _scraped_with_own_token() == ["/metrics"]  # the node job
    for path in _scraped_with_own_token():
        assert allows_non_resource(objects, account, "get", path), path
    assert not allows_non_resource(objects, account, "get", "/federate")  # what it scrapes, no more
    assert not allows_non_resource(objects, account, "post", "/metrics")
    assert not allows_non_resource(objects, ("monitoring", "default"), "get", "/metrics")
    for document in objects:
        if document["kind"] in {"ClusterRole", "ClusterRoleBinding"}:
            assert validate(document) == [], document


def test_the_grant_follows_the_jobs_sending_prometheus_token(project: Project) -> None:
    """Each path a job gets with Prometheus' own token is granted, and only those: another token file is another
    identity's (MP019 says so), and a job without a token needs no grant."""
    jobs = (ScrapeJob(name="nodes", source=Source.NODE_EXPORTER, targets=("node-exporter:9100",),
                      metrics_path="/node/metrics", cluster=ClusterEndpoint(
                          scheme="https", bearer_token_file=SERVICE_ACCOUNT_TOKEN, insecure_skip_verify=True)),
            ScrapeJob(name="federated", source=Source.APPLICATION, targets=("other:9090",), metrics_path="/federate",
                      cluster=ClusterEndpoint(scheme="https", bearer_token_file="/etc/prometheus/other/token")),
            ScrapeJob(name="api", source=Source.APPLICATION, targets=("api:8000",)))
    others = tuple(obj for obj in project.objects if not isinstance(obj, ScrapeJob))
    rendered = {PROMETHEUS_CONFIG: {"scrape_configs": [
        {"job_name": job.name, "metrics_path": job.metrics_path,
         "static_configs": [{"targets": list(job.targets)}]} for job in jobs]}}
    kube = Kubernetes(namespace="observability", prometheus_name="main")
    files = servers(replace(project, objects=(*others, *jobs)), kube, rendered)
    objects = list(files.values())
    assert _scraped_with_own_token(files) == ["/node/metrics"]
    assert allows_non_resource(objects, ("observability", "prometheus-main"), "get", "/node/metrics")
    assert not allows_non_resource(objects, ("observability", "prometheus-main"), "get", "/federate")
    assert not allows_non_resource(objects, ("observability", "prometheus-main"), "get", "/metrics")
    role = files["kubernetes/prometheus/cluster-role.yaml"]
    assert role["metadata"]["name"] == "prometheus-main-observability-scrape" and validate(role) == []
    tokenless = servers(replace(project, objects=(*others, jobs[2])), kube, rendered)
    assert not any(document["kind"].startswith("Cluster") for document in tokenless.values())
