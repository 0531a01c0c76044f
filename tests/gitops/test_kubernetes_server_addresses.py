"""Which pods each address out/kubernetes/ names reaches, with kube-prometheus installed in the same namespace.

A small evaluator of Service selectors over the pods prometheus-operator makes for both installations' Prometheus
and Alertmanager resources. The operator's pod labels are its statefulset.go podSelectorLabels, set after the
resource's podMetadata: `app.kubernetes.io/name`, `app.kubernetes.io/managed-by: prometheus-operator`,
`app.kubernetes.io/instance: <name>` and `prometheus: <name>` (plus `operator.prometheus.io/name` and `/shard`) or
`alertmanager: <name>`. Its governing Services, prometheus-operated and alertmanager-operated, select
`app.kubernetes.io/name: prometheus` (`alertmanager`) alone: every server of the namespace. kube-prometheus' objects
are its jsonnet evaluated, as fixtures/kube-prometheus/evaluated-objects.json holds them (its Services prometheus-k8s
and alertmanager-main select its podMetadata labels)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator.model import Kubernetes
from generator.model.project import Project
from generator.package import kubernetes
from generator.targets import render_all
from tests.gitops.helpers import ROOT
from tests.gitops.kube_prometheus_objects import fixture_objects

SERVER_KINDS = ("Prometheus", "Alertmanager")
WEB_PORTS = {"Prometheus": 9090, "Alertmanager": 9093}  # the container port the operator names web
GOVERNING = [{"kind": "Service", "metadata": {"name": f"{kind.lower()}-operated", "namespace": "monitoring"},
              "spec": {"clusterIP": "None", "selector": {"app.kubernetes.io/name": kind.lower()},
                       "ports": [{"name": "web", "port": port, "targetPort": "web"}]}}
             for kind, port in WEB_PORTS.items()]
"""The operator's governing Services in monitoring (one per namespace, whichever resource made it)."""


@dataclass(frozen=True)
class Pod:
    """A pod the operator runs for a server resource."""

    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    server: tuple[str, str]
    """(kind, name) of the resource it runs."""


def operator_pods(resource: dict[str, Any]) -> list[Pod]:
    """The pods prometheus-operator makes for a Prometheus or Alertmanager resource (one shard)."""
    kind, name, spec = resource["kind"], resource["metadata"]["name"], resource["spec"]
    app = kind.lower()
    labels = {**spec.get("podMetadata", {}).get("labels", {}), "app.kubernetes.io/name": app,
              "app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/instance": name, app: name}
    if kind == "Prometheus":
        labels |= {"operator.prometheus.io/name": name, "operator.prometheus.io/shard": "0"}
    namespace = resource["metadata"]["namespace"]
    return [Pod(f"{app}-{name}-{number}", namespace, tuple(sorted(labels.items())), (kind, name))
            for number in range(spec.get("replicas", 1))]


@dataclass
class Cluster:
    """The Services and server pods of the installations applied to one cluster."""

    services: dict[tuple[str, str], dict[str, Any]]
    pods: list[Pod]

    def selected(self, namespace: str, name: str) -> set[Pod]:
        """The pods a Service's selector selects (a Service without selector: none)."""
        selector = self.services[(namespace, name)]["spec"].get("selector")
        return {pod for pod in self.pods if selector and pod.namespace == namespace
                and selector.items() <= dict(pod.labels).items()}

    def url_reaches(self, url: str) -> set[Pod]:
        """The pods a URL to <service>.<namespace>.svc:<port> reaches: its Service's, at a web port."""
        parts = urlsplit(url)
        name, namespace, svc = (parts.hostname or "").split(".", 2)
        assert svc == "svc", url
        service = self.services[(namespace, name)]
        assert [port["targetPort"] for port in service["spec"]["ports"] if port["port"] == parts.port] == ["web"], url
        return self.selected(namespace, name)

    def scrape_reaches(self, config: dict[str, Any]) -> set[Pod]:
        """The pods of the endpoints a scrape config's endpointslice discovery keeps: each Service port in the
        discovered namespaces lists (namespace, Service, port name, the pods' port) for the pods it selects."""
        if "kubernetes_sd_configs" not in config:
            return set()
        (discovery,) = config["kubernetes_sd_configs"]
        keep = next(rule for rule in config["relabel_configs"] if rule["action"] == "keep")
        reached = set()
        for (namespace, name), service in self.services.items():
            if namespace not in discovery["namespaces"]["names"]:
                continue
            for pod in self.selected(namespace, name):
                for port in service["spec"]["ports"]:
                    target = port["targetPort"]
                    number = WEB_PORTS[pod.server[0]] if target == "web" else target
                    if re.fullmatch(keep["regex"], f"{namespace};{name};{port.get('name', '')};{number}"):
                        reached.add(pod)
        return reached


def cluster(*installations: list[dict[str, Any]]) -> Cluster:
    """The Services (the operator's governing ones too) and server pods of the installations' objects."""
    objects = [obj for objects in installations for obj in objects] + GOVERNING
    return Cluster({(obj["metadata"]["namespace"], obj["metadata"]["name"]): obj
                    for obj in objects if obj["kind"] == "Service"},
                   [pod for obj in objects if obj["kind"] in SERVER_KINDS for pod in operator_pods(obj)])


def kube_prometheus() -> list[dict[str, Any]]:
    """kube-prometheus' objects (its jsonnet evaluated, namespace monitoring, as the committed fixture holds them)."""
    return fixture_objects()


def shipped() -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text()) for path in sorted((ROOT / "out/kubernetes").rglob("*.yaml"))]


def packaged(project: Project, kube: Kubernetes) -> list[dict[str, Any]]:
    changed = replace(project, objects=(*(obj for obj in project.objects if not isinstance(obj, Kubernetes)), kube))
    return list(kubernetes.render(changed, render_all(changed)).values())


def _find(objects: list[dict[str, Any]], path_kind: str, name: str = "") -> dict[str, Any]:
    return next(obj for obj in objects if obj["kind"] == path_kind and (not name or obj["metadata"]["name"] == name))


def addresses(objects: list[dict[str, Any]]) -> dict[str, tuple[str, Any]]:
    """Each address the installation's objects name: the data sources' URLs, Prometheus' alerting endpoints, the
    scrape configs; {what: (how, where)}."""
    config_map = _find(objects, "ConfigMap", "grafana-datasources-obsgen")
    (provisioning,) = config_map["data"].values()
    found: dict[str, tuple[str, Any]] = {
        f"data source {source['uid']}": ("url", source["url"]) for source in yaml.safe_load(provisioning)["datasources"]
        if source["uid"] in ("prometheus", "alertmanager")}
    prometheus = [obj for obj in objects if obj["kind"] == "Prometheus"]
    for number, endpoint in enumerate(prometheus[0]["spec"]["alerting"]["alertmanagers"] if prometheus else ()):
        found[f"alerting.alertmanagers[{number}]"] = ("service", endpoint)
    for secret in (obj for obj in objects if obj["kind"] == "Secret"
                   and obj["metadata"]["name"].endswith("-scrape-configs")):
        for config in yaml.safe_load(next(iter(secret["stringData"].values()))):
            found[f"scrape job {config['job_name']}"] = ("scrape", config)
    return found


def reached(where: Cluster, objects: list[dict[str, Any]]) -> dict[str, set[tuple[str, str]]]:
    """{address: the servers (kind, name) whose pods it reaches}."""
    result = {}
    for what, (how, address) in addresses(objects).items():
        if how == "url":
            pods = where.url_reaches(address)
        elif how == "service":
            assert address["port"] in {port["name"] for port in
                                       where.services[(address["namespace"], address["name"])]["spec"]["ports"]}
            pods = where.selected(address["namespace"], address["name"])
        else:
            pods = where.scrape_reaches(address)
        result[what] = {pod.server for pod in pods}
    return result


def test_each_address_of_obsgen_s_servers_reaches_obsgen_s_pods_only_beside_kube_prometheus() -> None:
    """Applied in monitoring beside kube-prometheus, Grafana's data sources, Prometheus' alerting and the servers'
    self-scrapes reach obsgen's Prometheus and Alertmanager pods, every replica, and none of kube-prometheus'
    (through the governing *-operated Services Grafana's queries would alternate between both Prometheus, and
    alerts go to both Alertmanagers)."""
    ours = shipped()
    where = cluster(kube_prometheus(), ours)
    assert {pod.server for pod in where.pods} == {("Prometheus", "obsgen"), ("Alertmanager", "obsgen"),
                                                  ("Prometheus", "k8s"), ("Alertmanager", "main")}
    servers = {(kind, "obsgen") for kind in SERVER_KINDS}
    found = {what: reach & (servers | {("Prometheus", "k8s"), ("Alertmanager", "main")})
             for what, reach in reached(where, ours).items()}
    expected = {"data source prometheus": {("Prometheus", "obsgen")},
                "data source alertmanager": {("Alertmanager", "obsgen")},
                "alerting.alertmanagers[0]": {("Alertmanager", "obsgen")},
                "scrape job prometheus": {("Prometheus", "obsgen")},
                "scrape job alertmanager": {("Alertmanager", "obsgen")}}
    assert {what: found[what] for what in expected} == expected
    assert all(not reach or what in expected for what, reach in found.items()), found
    alertmanager = where.selected("monitoring", "alertmanager-obsgen")
    assert len(alertmanager) == _find(ours, "Alertmanager")["spec"]["replicas"] == 2  # every replica


def test_written_for_kube_prometheus_s_servers_the_data_sources_reach_its_pods_only(project: Project) -> None:
    """With servers=False obsgen configures kube-prometheus' servers: the data sources name its Services
    prometheus-k8s and alertmanager-main, which reach its pods and not another installation's in monitoring (here
    obsgen's own servers, shipped)."""
    beside = packaged(project, Kubernetes(servers=False))
    where = cluster(kube_prometheus(), shipped(), [obj for obj in beside if obj["kind"] != "Service"])
    assert reached(where, beside) == {"data source prometheus": {("Prometheus", "k8s")},
                                      "data source alertmanager": {("Alertmanager", "main")}}


def test_the_operator_s_governing_services_are_left_to_it() -> None:
    """out/kubernetes/ writes no prometheus-operated nor alertmanager-operated (the operator owns them: the
    StatefulSets' serviceName, the Alertmanager mesh's peer names), and obsgen's Services select by the labels the
    operator sets itself, as its PodDisruptionBudgets do."""
    ours = shipped()
    names = {obj["metadata"]["name"] for obj in ours if obj["kind"] == "Service"}
    assert names == {"prometheus-obsgen", "alertmanager-obsgen"}
    for kind in SERVER_KINDS:
        service = _find(ours, "Service", f"{kind.lower()}-obsgen")
        budgets = [obj for obj in ours if obj["kind"] == "PodDisruptionBudget"
                   and obj["metadata"]["name"] == f"{kind.lower()}-obsgen"]
        (pod, *_) = operator_pods(_find(ours, kind))
        assert service["spec"]["selector"].items() <= dict(pod.labels).items()
        assert all(budget["spec"]["selector"]["matchLabels"] == service["spec"]["selector"] for budget in budgets)
