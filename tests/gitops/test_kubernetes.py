"""out/kubernetes/: prometheus-operator objects valid against the CRDs of operator 0.93.0, with loadable contents."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build, load
from generator.core.errors import DefinitionError
from generator.importer.write import import_files
from generator.model import Dashboard
from generator.model.project import Project
from generator.targets import prometheus
from tests.edits import edit
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import (
    KUBE_PROMETHEUS,
    KUBE_PROMETHEUS_DASHBOARDS,
    ROOT,
    copy_definitions,
    promtool_check_rules,
)

OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding"}


def _objects(out: Path) -> dict[str, dict[str, Any]]:
    return {str(p.relative_to(out)): yaml.safe_load(p.read_text()) for p in sorted((out / "kubernetes").rglob("*.yaml"))
            if p.name != "kustomization.yaml"}


def _check_objects(objects: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    for path, document in objects.items():
        meta = document["metadata"]
        # a Role lets Prometheus discover in a namespace it scrapes (test_kubernetes_addresses), a ClusterRole get
        # what it scrapes with its token (test_kubernetes_rbac): cluster-wide, in no namespace; all else is here
        assert OBJECT_NAME.match(meta["name"]) and (
            meta.get("namespace") == "monitoring" or document["kind"] in {"Role", "RoleBinding"}
            or (document["kind"] in CLUSTER_SCOPED and "namespace" not in meta)), path
        assert validate(document) == [], path
    rule_files = []
    for path, document in objects.items():
        if document["kind"] == "PrometheusRule":
            rule_files.append(tmp_path / Path(path).name)
            rule_files[-1].write_text(yaml.safe_dump(document["spec"]))
    result = promtool_check_rules(*rule_files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_out_kubernetes_validates_against_the_crd_schemas(tmp_path: Path) -> None:
    objects = _objects(ROOT / "out")
    kinds = sorted(document["kind"] for document in objects.values())
    assert kinds.count("PrometheusRule") == len(list((ROOT / "out/prometheus/rules").glob("*.yml")))
    assert kinds.count("Secret") == 2  # Alertmanager's configuration, Prometheus' scrape configs
    # a ConfigMap per dashboard, and Grafana's data sources
    assert kinds.count("ConfigMap") == len(list((ROOT / "out/grafana/dashboards").rglob("*.json"))) + 1
    _check_objects(objects, tmp_path)
    kustomization = yaml.safe_load((ROOT / "out/kubernetes/kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(str(Path(p).relative_to("kubernetes")) for p in objects)


def test_the_config_secret_holds_an_alertmanager_yaml_amtool_accepts(tmp_path: Path) -> None:
    secret = yaml.safe_load((ROOT / "out/kubernetes/alertmanager/config-secret.yaml").read_text())
    assert secret["metadata"]["name"] == "alertmanager-obsgen"
    config_file = tmp_path / "alertmanager.yaml"
    config_file.write_text(secret["stringData"]["alertmanager.yaml"])
    (tmp_path / "obsgen.tmpl").write_text(secret["stringData"]["obsgen.tmpl"])
    config = yaml.safe_load(config_file.read_text())
    assert config["templates"] == ["/etc/alertmanager/config/obsgen.tmpl"]
    slack = next(r["slack_configs"][0] for r in config["receivers"] if r["name"] == "email-slack")
    assert slack["api_url_file"] == "/etc/alertmanager/secrets/alertmanager-credentials/alerts.url"
    result = subprocess.run(["amtool", "check-config", str(config_file)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_dashboard_is_a_config_map_the_grafana_sidecar_loads_into_its_folder() -> None:
    maps = {path: doc for path, doc in _objects(ROOT / "out").items() if doc["kind"] == "ConfigMap"
            and path.startswith("kubernetes/grafana-dashboards/")}
    dashboards = {path.name: path for path in (ROOT / "out/grafana/dashboards").rglob("*.json")}
    assert sorted(key for doc in maps.values() for key in doc["data"]) == sorted(dashboards)
    for path, config_map in maps.items():
        (key, text), = config_map["data"].items()
        assert text == dashboards[key].read_text(), path  # the same JSON Grafana's file provider reads
        assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
        folder = dashboards[key].parent.name
        assert config_map["metadata"].get("annotations") == (
            None if folder == "General" else {"k8s-sidecar-target-directory": folder}), path
        assert len(text.encode()) < 1024 * 1024  # what one ConfigMap holds


def test_a_config_map_schema_violation_is_caught() -> None:
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Grafana_Dashboard",
                  "labels": {"grafana_dashboard": 1}}, "data": {"a b.json": "{}"}, "spec": {}}
    errors = validate(config_map)
    assert any("'Grafana_Dashboard' does not match" in e for e in errors)
    assert any("1 is not of type 'string'" in e for e in errors)
    assert any("'a b.json' does not match" in e for e in errors)
    assert any("'spec' was unexpected" in e for e in errors)


@pytest.fixture(scope="module")
def operator_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shipped definitions with kube-prometheus' rules and dashboards imported, Alertmanager as an
    AlertmanagerConfig."""
    root = tmp_path_factory.mktemp("kube")
    definitions = copy_definitions(root)
    import_files([*KUBE_PROMETHEUS, KUBE_PROMETHEUS_DASHBOARDS], definitions)
    edit(definitions / "kubernetes.py", 'alertmanager="secret"', 'alertmanager="alertmanagerconfig"')
    build(definitions, root / "out")
    return root / "out"


def test_alertmanagerconfig_and_imported_rule_groups_validate(operator_project: Path, tmp_path: Path) -> None:
    objects = _objects(operator_project)
    rules = [d for d in objects.values() if d["kind"] == "PrometheusRule"]
    project = load(ROOT / "definitions")
    assert len(rules) == len(prometheus.rule_groups(project)) + 38  # obsgen's groups, and kube-prometheus' 38
    dashboards = [d for d in objects.values() if "grafana_dashboard" in d["metadata"]["labels"]]
    assert len(dashboards) == len(project.all(Dashboard)) + 33  # the shipped dashboards, and kube-prometheus' 33
    _check_objects(objects, tmp_path)


def test_alertmanagerconfig_routes_and_references_credentials_by_secret_key(operator_project: Path) -> None:
    config = yaml.safe_load((operator_project / "kubernetes/alertmanager/alertmanagerconfig.yaml").read_text())
    spec = config["spec"]
    critical = next(r for r in spec["route"]["routes"] if r["matchers"] == [
        {"name": "severity", "value": "critical", "matchType": "="}])
    assert critical["receiver"] == "email-slack" and critical["groupInterval"] == "1m"
    receivers = {r["name"]: r for r in spec["receivers"]}
    assert receivers["email-slack"]["slackConfigs"][0]["apiURL"] == {"name": "alertmanager-credentials",
                                                                      "key": "alerts.url"}
    assert receivers["email"]["emailConfigs"][0]["authPassword"]["key"] == "smtp_password"


def test_alertmanagerconfig_routes_alerts_that_carry_no_namespace(operator_project: Path) -> None:
    """The operator's default strategy (OnNamespace) makes an AlertmanagerConfig's routes match only alerts
    labelled with its namespace; the rules' alerts carry none, so every alert would miss them."""
    config = yaml.safe_load((operator_project / "kubernetes/alertmanager/alertmanagerconfig.yaml").read_text())
    alertmanager = yaml.safe_load((operator_project / "kubernetes/alertmanager/alertmanager.yaml").read_text())
    assert alertmanager["spec"]["alertmanagerConfigMatcherStrategy"] == {
        "type": "OnNamespaceExceptForAlertmanagerNamespace"}
    assert config["metadata"]["namespace"] == alertmanager["metadata"]["namespace"]
    assert alertmanager["spec"]["alertmanagerConfigSelector"]["matchLabels"].items() <= \
        config["metadata"]["labels"].items()


def test_an_invalid_object_is_caught_by_the_schema_check() -> None:
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "x"},
            "spec": {"groups": [{"name": "a", "rules": [{"alert": "A", "expr": "up", "for": "five minutes"}]},
                                {"name": "a", "rules": [], "evaluation": "1m"}]}}
    errors = validate(rule)
    assert any("'five minutes' does not match" in e for e in errors)
    assert any("'evaluation' was unexpected" in e for e in errors)
    assert any("duplicate list-map keys" in e for e in errors)


def test_a_second_kubernetes_definition_fails_the_build(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    (definitions / "more.py").write_text("from generator.model import Kubernetes\n\nAGAIN = Kubernetes()\n")
    with pytest.raises(DefinitionError, match=r"more.py:3: a second Kubernetes; the first is at .*"
                                              r"kubernetes.py:5"):
        load(definitions)


def test_the_prometheus_resource_enables_the_features_compose_runs_with() -> None:
    resource = yaml.safe_load((ROOT / "out/kubernetes/prometheus/prometheus.yaml").read_text())
    compose = (ROOT / "stacks/docker-compose.yml").read_text()
    assert resource["spec"]["enableFeatures"] == list(prometheus.FEATURES) == ["exemplar-storage"]
    assert all(f"--enable-feature={feature}" in compose for feature in prometheus.FEATURES)
    # Tempo's metrics-generator and Loki's ruler remote-write their series to Prometheus
    assert resource["spec"]["enableRemoteWriteReceiver"] is True and "--web.enable-remote-write-receiver" in compose


def test_prometheus_and_alertmanager_know_their_public_urls_in_kubernetes_and_compose(project: Project) -> None:
    """Notifications link back through these (the silence link, the ack command, each alert's source): without
    them the links name a pod or a container id."""
    stack = project.stack
    assert stack.alertmanager_url and stack.prometheus_url
    servers = {kind: yaml.safe_load((ROOT / f"out/kubernetes/{kind}/{kind}.yaml").read_text())["spec"]
               for kind in ("prometheus", "alertmanager")}
    assert servers["prometheus"]["externalUrl"] == stack.prometheus_url
    assert servers["alertmanager"]["externalUrl"] == stack.alertmanager_url
    services = yaml.safe_load((ROOT / "stacks/docker-compose.yml").read_text())["services"]
    assert f"--web.external-url={stack.prometheus_url}" in services["prometheus"]["command"]
    for name in ("alertmanager-1", "alertmanager-2"):
        assert f"--web.external-url={stack.alertmanager_url}" in services[name]["command"]


def test_the_alertmanager_resource_runs_the_release_the_links_are_escaped_for(project: Project) -> None:
    """The notifications' UI links are escaped for Stack.alertmanager_version's UI: the operator deploys that release
    (its image's tag defaults to spec.version) rather than its own default."""
    resource = yaml.safe_load((ROOT / "out/kubernetes/alertmanager/alertmanager.yaml").read_text())
    assert resource["spec"]["version"] == f"v{project.stack.alertmanager_version}"
