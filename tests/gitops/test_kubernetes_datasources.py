"""out/kubernetes/ provisions Grafana's data sources through the Grafana sidecar, as it does the dashboards: the Helm
chart's sidecar loads ConfigMaps labelled grafana_datasource: "1" holding a provisioning file (apiVersion 1,
datasources) into provisioning/datasources."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import compile_definitions
from generator.model import Kubernetes
from generator.model.conventions import GRAFANA_DATASOURCES
from generator.model.project import Project
from generator.package.kubernetes import datasources_config_map
from generator.targets.grafana_provisioning import render
from tests.checks.test_cases import CASE_MODULE, project_with
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import ROOT

BUILT_IN = {"-- Grafana --", "-- Mixed --", "-- Dashboard --"}
"""Grafana's own data sources, which no provisioning declares."""


def _config_maps(label: str) -> list[dict[str, Any]]:
    documents = [yaml.safe_load(path.read_text()) for path in sorted((ROOT / "out/kubernetes").rglob("*.yaml"))]
    return [d for d in documents if d.get("kind") == "ConfigMap" and label in d["metadata"].get("labels", {})]


def _shipped_datasources() -> list[dict[str, Any]]:
    found = _config_maps("grafana_datasource")
    assert len(found) == 1, f"{len(found)} ConfigMaps labelled grafana_datasource in out/kubernetes/"
    config_map = found[0]
    assert validate(config_map) == [] and config_map["metadata"]["labels"]["grafana_datasource"] == "1"
    (text,) = config_map["data"].values()
    provisioning = yaml.safe_load(text)
    assert provisioning["apiVersion"] == 1
    return list(provisioning["datasources"])


def dashboard_uids(dashboard: dict[str, Any]) -> set[str]:
    """Every data source uid a dashboard names, its datasource variables resolved to their current value."""
    variables = {v["name"]: v["current"]["value"] for v in dashboard.get("templating", {}).get("list", [])
                 if v.get("type") == "datasource"}
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            source = value.get("datasource")
            if isinstance(source, dict) and source.get("uid") and source.get("type") != "datasource":
                uid = re.sub(r"^\$\{?(\w+)\}?$", lambda m: variables.get(m.group(1), m.group(0)), source["uid"])
                found.add(uid)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(dashboard)
    return found - BUILT_IN


def test_every_data_source_a_dashboard_config_map_names_is_in_the_data_sources_config_map() -> None:
    uids = {datasource["uid"] for datasource in _shipped_datasources()}
    dashboards = _config_maps("grafana_dashboard")
    assert dashboards
    for config_map in dashboards:
        for key, text in config_map["data"].items():
            named = dashboard_uids(yaml.safe_load(text))
            assert named and named <= uids, (key, named - uids)


def test_data_sources_reach_the_stack_in_the_cluster_linked_as_compose_links_them() -> None:
    """The same data sources as compose's provisioning (uids, links between them), at the Services standing for
    their hosts, and one default."""
    datasources = _shipped_datasources()
    compose = yaml.safe_load((ROOT / "out" / GRAFANA_DATASOURCES).read_text())["datasources"]
    assert [{k: v for k, v in d.items() if k != "url"} for d in datasources] == \
        [{k: v for k, v in d.items() if k != "url"} for d in compose]
    assert {d["uid"]: d["url"] for d in datasources} == {
        "prometheus": "http://prometheus-obsgen.monitoring.svc:9090",
        "alertmanager": "http://alertmanager-obsgen.monitoring.svc:9093",
        "loki": "http://loki.logging.svc:3100", "tempo": "http://tempo.monitoring.svc:3200"}
    assert [d["uid"] for d in datasources if d.get("isDefault")] == ["prometheus"]
    uids = {d["uid"] for d in datasources}
    linked = set(re.findall(r"datasourceUid: (\w+)", yaml.safe_dump(datasources)))
    assert linked and linked <= uids  # exemplars to Tempo, trace ids to Tempo, traces to logs and metrics


def test_no_default_is_claimed_beside_the_grafana_installation_s_own(project: Project) -> None:
    """kube-prometheus-stack provisions a default Prometheus data source of its own; Grafana refuses a second."""
    rendered = {GRAFANA_DATASOURCES: render(project)[GRAFANA_DATASOURCES]}
    files = datasources_config_map(project, Kubernetes(default_datasource=False,
                                                       datasource_labels={"grafana_datasource": "obsgen"}), rendered)
    (config_map,) = files.values()
    assert config_map["metadata"]["labels"]["grafana_datasource"] == "obsgen"
    (text,) = config_map["data"].values()
    assert not any("isDefault" in d for d in yaml.safe_load(text)["datasources"])


def test_isdefault_is_claimed_only_when_asked(project: Project) -> None:
    """A Grafana installation may provision a default data source of its own (kube-prometheus-stack does, by
    default), and Grafana provisions nothing beside a second: out/kubernetes/ claims one only when asked."""
    rendered = {GRAFANA_DATASOURCES: render(project)[GRAFANA_DATASOURCES]}
    for kube, defaults in ((Kubernetes(), []), (Kubernetes(default_datasource=True), ["prometheus"])):
        (config_map,) = datasources_config_map(project, kube, rendered).values()
        (text,) = config_map["data"].values()
        assert [d["uid"] for d in yaml.safe_load(text)["datasources"] if d.get("isDefault")] == defaults


@pytest.mark.parametrize("labels", [None, {"grafana_datasource": "obsgen"}], ids=["chart's label", "own label"])
def test_a_second_default_is_said_once_by_the_clash_check(labels: dict[str, str] | None, tmp_path: Path) -> None:
    """MP016 owns the clashes with the Grafana installation's data sources, the default among them; MP003 says what
    the deployment needs (the sidecar's label) and no longer repeats it."""
    fields = f"default_datasource=True{f', datasource_labels={labels!r}' if labels else ''}"
    module = f"from generator.model import Kubernetes\nKUBERNETES = Kubernetes({fields})\n"
    report = compile_definitions(project_with(tmp_path, {CASE_MODULE: module})).report
    said = [(problem.code, problem.location.line) for problem in report.problems
            if "defaultDatasourceEnabled" in problem.message]
    assert said == [("MP016", 2)], [(p.code, p.message) for p in report.problems if p.code in {"MP003", "MP016"}]
