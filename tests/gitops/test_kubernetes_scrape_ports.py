"""The cluster's scrape jobs keep the endpoints at the port a ServiceMonitor would: a Service port's name, or the pods'
port number, which need not be the Service port's.

Prometheus itself relabels here: its Kubernetes discovery is replaced by a file_sd stub listing the targets the
endpointslice discoverer makes of an EndpointSlice (the labels of upstream's discovery/kubernetes/endpointslice.go:
one target per endpoint and slice port, `__address__` the pod's IP at the slice port, which is the Service's
targetPort resolved; and one per pod container port no slice port covers, without the slice's port labels), and
its /api/v1/targets says which it kept and with what labels."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import load
from generator.core.errors import ProblemsFound
from generator.model import Kubernetes
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.project import Project
from generator.package.kubernetes import servers
from tests.edits import edit
from tests.gitops.helpers import copy_definitions
from tests.gitops.test_kubernetes_addresses import promtool_check_scrape_configs
from tests.servers import prometheus

Pod = tuple[str, str]  # name, IP
SLICE_PORTS = {  # (namespace, Service): its slice ports (name, the pods' port), and its pods
    ("shop", "api"): ([("http", 8080), ("admin", 9000)], [("api-0", "192.0.2.10"), ("api-1", "192.0.2.11")]),
    ("shop", "api-canary"): ([("http", 8080)], [("api-canary-0", "192.0.2.20")]),
    ("default", "api"): ([("http", 8080)], [("api-x", "192.0.2.30")]),
    # beside kube-prometheus: the operator's governing Service lists every Prometheus of the namespace, each
    # installation's own Service its own
    ("monitoring", "prometheus-operated"): ([("web", 9090), ("grpc", 10901)], [("prometheus-obsgen-0", "192.0.2.40"),
                                                                               ("prometheus-k8s-0", "192.0.2.41")]),
    ("monitoring", "prometheus-obsgen"): ([("web", 9090)], [("prometheus-obsgen-0", "192.0.2.40")]),
    ("monitoring", "prometheus-k8s"): ([("web", 9090), ("reloader-web", 8080)], [("prometheus-k8s-0", "192.0.2.41")]),
    ("monitoring", "single"): ([("", 7000)], [("single-0", "192.0.2.50")]),  # a Service's only port, unnamed
}
UNCOVERED_CONTAINER_PORT = 8081
"""A port each pod's container declares that no Service port targets: discovered without slice port labels."""


def discovered() -> list[dict[str, Any]]:
    """The target groups endpointslice discovery makes of SLICE_PORTS (one group per slice: its labels are the
    group's, each endpoint's the target's)."""
    groups = []
    for (namespace, service), (ports, pods) in SLICE_PORTS.items():
        targets = []
        for pod, ip in pods:
            endpoint = {"__meta_kubernetes_endpointslice_address_target_kind": "Pod",
                        "__meta_kubernetes_endpointslice_address_target_name": pod,
                        "__meta_kubernetes_pod_name": pod, "__meta_kubernetes_pod_ip": ip}
            targets += [{"__address__": f"{ip}:{port}", **endpoint,
                         "__meta_kubernetes_endpointslice_port_name": name,
                         "__meta_kubernetes_endpointslice_port_protocol": "TCP",
                         "__meta_kubernetes_endpointslice_port": str(port)} for name, port in ports]
            targets.append({"__address__": f"{ip}:{UNCOVERED_CONTAINER_PORT}", "__meta_kubernetes_pod_name": pod,
                            "__meta_kubernetes_pod_container_port_number": str(UNCOVERED_CONTAINER_PORT)})
        for target in targets:
            groups.append({"targets": [target.pop("__address__")], "labels": {
                **target, "__meta_kubernetes_namespace": namespace, "__meta_kubernetes_service_name": service,
                "__meta_kubernetes_endpointslice_name": f"{service}-abcde"}})
    return groups


def _cluster_scrape_configs(project: Project, kube: Kubernetes, scrape: list[dict[str, Any]]) -> list[dict[str, Any]]:
    secret = servers(project, kube, {PROMETHEUS_CONFIG: {"scrape_configs": scrape}})[
        "kubernetes/prometheus/scrape-configs-secret.yaml"]
    return list(yaml.safe_load(secret["stringData"]["scrape-configs.yaml"]))


def kept_by_prometheus(configs: list[dict[str, Any]], tmp_path: Path) -> dict[str, set[tuple[str, str, str]]]:
    """Each job's targets as the real Prometheus relabels discovered(): (address, namespace, pod) it keeps."""
    sd_file = tmp_path / "endpointslices.json"
    sd_file.write_text(json.dumps(discovered()))
    stubbed = []
    for config in configs:
        config = {key: value for key, value in config.items() if key != "kubernetes_sd_configs"}
        stubbed.append({**config, "file_sd_configs": [{"files": [str(sd_file)]}]})
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump({"global": {"scrape_interval": "1h"}, "scrape_configs": stubbed}))
    expected = len(discovered()) * len(configs)
    with prometheus(path, tmp_path) as server:
        deadline = time.monotonic() + 30
        while True:  # the discovery manager hands target sets over every 5 s
            data = server.get("/api/v1/targets", state="any").json()["data"]
            if len(data["activeTargets"]) + len(data["droppedTargets"]) == expected or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert len(data["activeTargets"]) + len(data["droppedTargets"]) == expected, data
    kept: dict[str, set[tuple[str, str, str]]] = {config["job_name"]: set() for config in configs}
    for target in data["activeTargets"]:
        labels = target["labels"]
        kept[labels["job"]].add((labels["instance"], labels.get("namespace", ""), labels.get("pod", "")))
    return kept


def test_jobs_keep_the_endpoints_at_the_port_the_mapping_names(project: Project, tmp_path: Path) -> None:
    """Service api's port http is 80 in front of the pods' 8080 (compose ran the container at 8000): named by the
    port's name or the pods' number, the job scrapes each pod of api in shop at 8080, and no other Service's, port
    or namespace (nor a container port no Service port targets); a compose port is taken for the pods' port; a
    Service's only port may be unnamed."""
    scrape = [{"job_name": name, "static_configs": [{"targets": [target]}]} for name, target in (
        ("by-name", "api:8000"), ("by-number", "api-by-number:8000"), ("compose-port", "api-as-composed:8080"),
        ("unnamed", "single:7000"))]
    kube = Kubernetes(services={"api": "api.shop:http", "api-by-number": "api.shop:8080",
                                "api-as-composed": "api.shop", "single": "single"})
    configs = _cluster_scrape_configs(project, kube, scrape)
    promtool_check_scrape_configs(configs, {"scrape_interval": "15s"}, tmp_path)
    kept = kept_by_prometheus(configs, tmp_path)
    api = {("192.0.2.10:8080", "shop", "api-0"), ("192.0.2.11:8080", "shop", "api-1")}
    assert kept["by-name"] == kept["by-number"] == kept["compose-port"] == api
    assert kept["unnamed"] == {("192.0.2.50:7000", "monitoring", "single-0")}


def test_the_servers_are_kept_by_their_own_service_s_web_port(project: Project, tmp_path: Path) -> None:
    """prometheus.yml's Prometheus job (compose: prometheus:9090) scrapes each replica behind obsgen's Prometheus'
    own Service at its web port (not a Thanos sidecar's grpc), and not kube-prometheus' Prometheus beside it, which
    the operator's governing prometheus-operated lists too."""
    (job,) = [entry for entry in yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "out" / PROMETHEUS_CONFIG).read_text())["scrape_configs"]
        if entry["job_name"] == "prometheus"]
    configs = _cluster_scrape_configs(project, Kubernetes(), [job])
    assert kept_by_prometheus(configs, tmp_path)["prometheus"] == {
        ("192.0.2.40:9090", "monitoring", "prometheus-obsgen-0")}


@pytest.mark.parametrize(("value", "message"), [
    ("api.shop:http_metrics", "'http_metrics' is neither a port number"),
    ("api.shop:0", "'0' is neither a port number"),
    ("api.shop:a-very-long-port-name", "is neither a port number"),
    ("api.shop.svc:http", "'api.shop.svc' is not 'name' or 'name.namespace' of a Service"),
])
def test_a_port_no_service_may_have_is_refused_at_its_line(tmp_path: Path, value: str, message: str) -> None:
    definitions = copy_definitions(tmp_path)
    edit(definitions / "kubernetes.py", '"api": "api.shop",', f'"api": "{value}",')
    with pytest.raises(ProblemsFound, match=r"kubernetes.py:\d+:.*" + message):
        load(definitions)
