"""out/kubernetes/ reaches the stack at cluster addresses: docker-compose's host names resolve on compose's network
only, so each is discovered (scrape targets) or named (data sources) as the Kubernetes Service standing for it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import load
from generator.core.errors import ProblemsFound
from generator.derive.cluster_addresses import PROMETHEUS, url_in_cluster
from generator.model import Kubernetes
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.project import Project
from generator.package.cluster_scrape import KEPT_BY
from generator.package.kubernetes import servers
from tests.edits import edit
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import ROOT, copy_definitions


def _shipped(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "out/kubernetes" / name).read_text()))


def _scrape_configs() -> list[dict[str, Any]]:
    reference = _shipped("prometheus/prometheus.yaml")["spec"]["additionalScrapeConfigs"]
    secret = _shipped("prometheus/scrape-configs-secret.yaml")
    assert validate(secret) == [] and secret["metadata"]["name"] == reference["name"]
    return list(yaml.safe_load(secret["stringData"][reference["key"]]))


def _kept(config: dict[str, Any], namespace: str, service: str, port: int, name: str = "web") -> bool:
    """Whether the job's keep rule keeps an endpoint of this Service and port (number and name: the operator
    names the servers' Services' web) (Prometheus anchors the regex)."""
    keep = next(rule for rule in config["relabel_configs"] if rule.get("action") == "keep")
    assert keep["source_labels"] == KEPT_BY
    return re.fullmatch(keep["regex"], f"{namespace};{service};{name};{port}") is not None


def test_each_job_discovers_the_pods_of_the_service_standing_for_its_compose_host(tmp_path: Path) -> None:
    """The same job names (alerts and panels select on them), each scraping every pod behind its Service; Prometheus
    and Alertmanager through their own Services (not the operator's governing ones); promtool accepts the
    configuration."""
    scraped = {config["job_name"]: config for config in _scrape_configs()}
    compose = yaml.safe_load((ROOT / "out" / PROMETHEUS_CONFIG).read_text())
    assert list(scraped) == [job["job_name"] for job in compose["scrape_configs"]]
    expected = {"prometheus": ("monitoring", "prometheus-obsgen", 9090),
                "alertmanager": ("monitoring", "alertmanager-obsgen", 9093),
                "node": ("monitoring", "node-exporter", 9100), "api": ("shop", "api", 8000),
                "loki": ("logging", "loki", 3100)}
    for job, (namespace, service, port) in expected.items():
        config = scraped[job]
        assert "static_configs" not in config, job
        assert config["kubernetes_sd_configs"] == [{"role": "endpointslice", "namespaces": {"names": [namespace]}}]
        assert _kept(config, namespace, service, port), job
        assert not _kept(config, "default", service, port) and not _kept(config, namespace, "other", port)
        # the servers' Services kept by their port's name, the others by the pods' port number
        other = (port, "grpc") if service.endswith("-obsgen") else (port + 1, "web")
        assert not _kept(config, namespace, service, *other), job
    assert not _kept(scraped["alertmanager"], "monitoring", "alertmanager-obsgen", 9094, "tcp-mesh")
    for job, service in (("prometheus", "prometheus-operated"), ("alertmanager", "alertmanager-operated")):
        assert not _kept(scraped[job], "monitoring", service, expected[job][2]), job  # every server of monitoring
    assert scraped["obsgen-exporter"]["honor_labels"] is True  # the rest of each config is prometheus.yml's
    promtool_check_scrape_configs(list(scraped.values()), compose["global"], tmp_path)


KUBERNETES_SD_ROLES = {"node", "pod", "service", "endpoints", "endpointslice", "ingress"}
"""Upstream's kubernetes SD roles (discovery/kubernetes/kubernetes.go, Role)."""


def promtool_check_scrape_configs(configs: list[dict[str, Any]], global_: dict[str, Any], tmp_path: Path) -> None:
    """promtool check config on scrape configs. Debian's promtool is built without Kubernetes discovery ("field
    kubernetes_sd_configs not found"): each kubernetes_sd_configs block is checked against upstream's SDConfig
    (role, namespaces: names and own_namespace), and promtool checks the rest (job, relabelling) with a file_sd
    block in its place, and files named (a token) left to the pod."""
    checked_configs = []
    for config in configs:
        config = dict(config)
        for block in config.pop("kubernetes_sd_configs", []):
            assert set(block) <= {"role", "namespaces"} and block["role"] in KUBERNETES_SD_ROLES, block
            assert set(block.get("namespaces", {})) <= {"names", "own_namespace"}, block
            config["file_sd_configs"] = [{"files": [str(tmp_path / "targets.json")]}]
        checked_configs.append(config)
    (tmp_path / "targets.json").write_text("[]")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump({"global": global_, "scrape_configs": checked_configs}))
    # --syntax-only: the files a job names (a ServiceAccount token) are in Prometheus' pod, not on this machine
    checked = subprocess.run(["promtool", "check", "config", "--syntax-only", str(path)], capture_output=True,
                             text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_prometheus_may_discover_in_every_namespace_it_scrapes() -> None:
    """Discovery lists Services, pods and EndpointSlices of each namespace named: a Role there for its account."""
    account = _shipped("prometheus/prometheus.yaml")["spec"]["serviceAccountName"]
    for suffix, namespace in (("", "monitoring"), ("-logging", "logging"), ("-shop", "shop")):
        role, binding = (_shipped(f"prometheus/{kind}{suffix}.yaml") for kind in ("role", "role-binding"))
        assert validate(role) == [] and validate(binding) == []
        assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == namespace
        assert ("discovery.k8s.io", "endpointslices") in {(group, resource) for rule in role["rules"]
                                                          for group in rule["apiGroups"]
                                                          for resource in rule["resources"]}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account, "namespace": "monitoring"}]


def test_resolvable_targets_stay_static_and_a_mixed_job_keeps_both(project: Project) -> None:
    """A fully qualified name or IP resolves in the cluster as it is; in a job with discovered targets too, the keep
    rule lets static targets (no discovery labels) through, and the job's labels reach the discovered ones."""
    rendered = {PROMETHEUS_CONFIG: {"scrape_configs": [{"job_name": "db", "static_configs": [
        {"targets": ["db.example.com:9187", "pgbouncer:9127"], "labels": {"tier": "data"}}]}]}}
    files = servers(project, Kubernetes(), rendered)
    (config,) = yaml.safe_load(files["kubernetes/prometheus/scrape-configs-secret.yaml"]["stringData"][
        "scrape-configs.yaml"])
    assert config["static_configs"] == [{"targets": ["db.example.com:9187"], "labels": {"tier": "data"}}]
    assert _kept(config, "monitoring", "pgbouncer", 9127)
    keep = next(rule for rule in config["relabel_configs"] if rule.get("action") == "keep")
    assert re.fullmatch(keep["regex"], ";;;")  # a static target
    assert {"target_label": "tier", "replacement": "data"} in config["relabel_configs"]


def test_a_host_no_service_can_stand_for_fails_the_build(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    stack = definitions / "stack.py"
    edit(stack, 'targets=("node-exporter:9100",)', 'targets=("localhost:9100",)')
    line = stack.read_text().splitlines().index(next(text for text in stack.read_text().splitlines()
                                                     if 'ScrapeJob(name="node"' in text)) + 1
    with pytest.raises(ProblemsFound, match=rf"stack.py:{line}: kubernetes: scrape job node target localhost:9100: "
                                            r"no Service can stand for host 'localhost'.*\[XR022\]"):
        load(definitions)
    edit(definitions / "kubernetes.py", '"grafana": "grafana",', '"localhost": "node-exporter",')
    assert load(definitions).all(Kubernetes)[0].services["localhost"] == "node-exporter"


def test_urls_name_the_service_standing_for_their_host() -> None:
    kube = Kubernetes(services={"loki": "loki.logging"})
    assert url_in_cluster(kube, "http://loki:3100") == "http://loki.logging.svc:3100"
    assert url_in_cluster(kube, "http://prometheus:9090/prom", PROMETHEUS) == \
        "http://prometheus-obsgen.monitoring.svc:9090/prom"
    assert url_in_cluster(kube, "https://tempo.example.com:443") == "https://tempo.example.com:443"
    assert url_in_cluster(kube, "http://tempo:3200") == "http://tempo.monitoring.svc:3200"  # assumed: MP015 says so
    with pytest.raises(ValueError, match=r"is not 'name' or 'name\.namespace' of a Service"):
        Kubernetes(services={"loki": "loki.logging.svc"})


def test_remote_write_reaches_the_long_term_store_at_its_service(project: Project) -> None:
    """prometheus.yml's remote_write of recorded series, which the Prometheus resource had dropped, at the Service
    standing for the store's compose host."""
    kube = Kubernetes(services={"thanos-receive": "thanos-receive.thanos"})
    rendered = {PROMETHEUS_CONFIG: {"scrape_configs": [], "remote_write": [{
        "url": "http://thanos-receive:19291/api/v1/receive",
        "write_relabel_configs": [{"source_labels": ["__name__"], "regex": "[^:]+:[^:]+:.+", "action": "keep"}]}]}}
    resource = servers(project, kube, rendered)["kubernetes/prometheus/prometheus.yaml"]
    assert validate(resource) == []
    assert resource["spec"]["remoteWrite"] == [{
        "url": "http://thanos-receive.thanos.svc:19291/api/v1/receive",
        "writeRelabelConfigs": [{"sourceLabels": ["__name__"], "regex": "[^:]+:[^:]+:.+", "action": "keep"}]}]
    assert "remoteWrite" not in _shipped("prometheus/prometheus.yaml")["spec"]  # the shipped plan declares none
