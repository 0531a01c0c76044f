"""kube-prometheus' servers select obsgen's objects unless narrowed as docs/configuration.md says: its Prometheus k8s
(ruleSelector: {}) evaluates every PrometheusRule of monitoring, obsgen's too, and its Alertmanager main
(alertmanagerConfigSelector: {}) merges every AlertmanagerConfig. The documented jsonnet values and kubectl merge
patches are read from the page and applied to kube-prometheus' jsonnet evaluated (the patches to its objects as
fixtures/kube-prometheus/evaluated-objects.json holds them, the values to the anchor's jsonnet), and the selectors
evaluated as the API server's label selectors are (matchLabels and matchExpressions ANDed; NotIn and DoesNotExist
match an object without the key)."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace
from typing import Any

import pytest
import yaml

from generator.model import Kubernetes
from generator.model.project import Project
from generator.package import kubernetes
from generator.package.kubernetes import MONITOR_SELECTORS
from generator.targets import render_all
from tests.gitops.helpers import ROOT
from tests.gitops.kube_prometheus_objects import anchor, evaluated_objects, fixture_objects

PAGE = ROOT / "docs/configuration.md"
SECTION = "### Beside kube-prometheus"


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a Kubernetes label selector matches an object's labels."""
    tests = {"In": lambda key, values: labels.get(key) in values,
             "NotIn": lambda key, values: labels.get(key) not in values,
             "Exists": lambda key, values: key in labels, "DoesNotExist": lambda key, values: key not in labels}
    return selector.get("matchLabels", {}).items() <= labels.items() and all(
        tests[expression["operator"]](expression["key"], expression.get("values", []))
        for expression in selector.get("matchExpressions", []))


def _section() -> str:
    text = PAGE.read_text()
    start = text.index(SECTION)
    return text[start:text.index("\n## ", start)]


def documented_jsonnet() -> str:
    (block,) = re.findall(r"```jsonnet\n(.*?)```", _section(), re.S)
    return str(block)


def documented_patches() -> dict[tuple[str, str], dict[str, Any]]:
    """{(kind, name): merge patch} of each documented `kubectl patch`."""
    (block,) = re.findall(r"```sh\n(.*?)```", _section(), re.S)
    patches = {}
    for line in block.splitlines():
        words = shlex.split(line)
        assert words[:4] == ["kubectl", "-n", "monitoring", "patch"] and words[6:8] == ["--type", "merge"], line
        patches[(words[4], words[5])] = json.loads(words[words.index("-p") + 1])
    return patches


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch, as `kubectl patch --type merge` applies it."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _evaluated(kp: str | None = None) -> list[dict[str, Any]]:
    """kube-prometheus' objects, whole, its jsonnet evaluated (with `kp`; skipped without the anchor)."""
    found = anchor()
    if found is None:
        pytest.skip("no kube-prometheus anchor (shared/anchors/kube-prometheus or $KUBE_PROMETHEUS)")
    return evaluated_objects(found, kp) if kp else evaluated_objects(found)


def _patched(servers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The servers with the documented `kubectl patch`es applied."""
    patches = documented_patches()
    assert set(patches) == {("prometheus", "k8s"), ("alertmanager", "main")}
    return [merge_patch(server, patches[(server["kind"].lower(), server["metadata"]["name"])]) for server in servers]


def _obsgen(project: Project) -> list[dict[str, Any]]:
    """obsgen's objects, the shipped out/kubernetes/ and its AlertmanagerConfig form."""
    shipped = [yaml.safe_load(path.read_text()) for path in sorted((ROOT / "out/kubernetes").rglob("*.yaml"))]
    kube = Kubernetes(alertmanager="alertmanagerconfig", services={"localhost:9100": "node-exporter"})
    changed = replace(project, objects=(*(obj for obj in project.objects if not isinstance(obj, Kubernetes)), kube))
    return shipped + list(kubernetes.render(changed, render_all(changed)).values())


def _selected(server: dict[str, Any], objects: list[dict[str, Any]], field: str = "") -> set[str]:
    """The names of the PrometheusRules or AlertmanagerConfigs in its namespace the server selects, or of the objects
    of the kind a field of its spec (serviceMonitorSelector) selects."""
    field, kind = ((field, field[0].upper() + field[1:-len("Selector")]) if field
                   else ("ruleSelector", "PrometheusRule") if server["kind"] == "Prometheus"
                   else ("alertmanagerConfigSelector", "AlertmanagerConfig"))
    return {obj["metadata"]["name"] for obj in objects if obj["kind"] == kind
            and obj["metadata"]["namespace"] == server["metadata"]["namespace"]
            and selects(server["spec"][field], obj["metadata"].get("labels", {}))}


def _servers(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [next(obj for obj in objects if obj["kind"] == kind) for kind in ("Prometheus", "Alertmanager")]


def test_kube_prometheus_selects_obsgen_s_rules_and_configs_unless_narrowed_as_documented(project: Project) -> None:
    ours = _obsgen(project)
    own = {kind: {obj["metadata"]["name"] for obj in ours if obj["kind"] == kind}
           for kind in ("PrometheusRule", "AlertmanagerConfig")}
    assert all(own.values())
    plain = fixture_objects()
    theirs = {obj["metadata"]["name"] for obj in plain if obj["kind"] == "PrometheusRule"}
    for server in _servers(plain):  # as installed: obsgen's alerts evaluated twice, its routing merged in
        assert _selected(server, ours) == own["PrometheusRule" if server["kind"] == "Prometheus"
                                              else "AlertmanagerConfig"]
    narrowed = _patched(_servers(plain))
    assert all(_selected(server, ours) == set() for server in narrowed)
    (prometheus, _) = narrowed
    assert _selected(prometheus, plain) == theirs and len(theirs) == 8  # kube-prometheus' own rules still


def test_the_documented_jsonnet_values_change_what_the_kubectl_patches_change_and_nothing_else() -> None:
    """kube-prometheus' jsonnet evaluated with the documented values gives its servers as the documented kubectl
    merge patches make them of its plain servers, whole (needs the anchor: the selections above read the fixture)."""
    plain = _evaluated()
    narrowed = _evaluated(documented_jsonnet())
    assert _patched(_servers(plain)) == _servers(narrowed)
    assert [obj for obj in plain if obj["kind"] not in ("Prometheus", "Alertmanager")] == \
        [obj for obj in narrowed if obj["kind"] not in ("Prometheus", "Alertmanager")]


def test_obsgen_s_prometheus_scrapes_none_of_kube_prometheus_monitors_beside_it(project: Project) -> None:
    """obsgen's own scrape jobs are its additionalScrapeConfigs; its monitor selectors take the monitors labelled
    for it (Kubernetes.monitor_labels), not kube-prometheus' in the same namespace (its kubelet, apiserver and
    node-exporter ServiceMonitors), which an empty selector would have scraped a second time."""
    (prometheus, _) = _servers(_obsgen(project))
    theirs = fixture_objects()
    monitors = [obj for obj in theirs if obj["kind"] in ("ServiceMonitor", "PodMonitor", "Probe", "ScrapeConfig")]
    assert len(monitors) > 10 and {obj["metadata"]["namespace"] for obj in monitors} == {"monitoring"}
    labelled = {"kind": "ServiceMonitor", "metadata": {"name": "shop", "namespace": "monitoring",
                                                       "labels": {"prometheus": "obsgen"}}}
    for field in MONITOR_SELECTORS:
        assert _selected(prometheus, monitors, field) == set(), field
    assert _selected(prometheus, [labelled], "serviceMonitorSelector") == {"shop"}
