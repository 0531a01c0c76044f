"""Applied beside kube-prometheus, out/kubernetes/ replaces none of its objects: `kubectl apply` of an object of the
same kind, namespace and name would take kube-prometheus' over (its Prometheus k8s, its ServiceAccount and Roles
prometheus-k8s, whose rules obsgen's narrower Role would replace). Only with servers=False is obsgen meant to be one
of them: the config Secret of the installation's Alertmanager (kube-prometheus' alertmanager-main)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.checks.base import Context
from generator.checks.kube_prometheus import INSTALLED, ObjectKey
from generator.checks.mapping import kube_prometheus_object
from generator.model import Kubernetes
from generator.model.project import Project
from generator.package import kubernetes
from generator.targets import render_all
from tests.gitops.helpers import KUBE_PROMETHEUS, ROOT
from tests.gitops.kube_prometheus_objects import (
    EVALUATED_FIXTURE,
    anchor,
    fixture_objects,
    fixture_text,
    keys,
    manifests_corpus,
)

SHIPPED = ROOT / "out/kubernetes"


def _kube_prometheus() -> frozenset[ObjectKey]:
    return INSTALLED | manifests_corpus()


def _shipped() -> set[ObjectKey]:
    return keys([yaml.safe_load(path.read_text()) for path in sorted(SHIPPED.rglob("*.yaml"))])


def _clashes(objects: set[ObjectKey]) -> str:
    """The objects kube-prometheus installs too, one a line."""
    return "\n".join(f"{kind} {namespace}/{name}" for kind, namespace, name in
                     sorted(objects & _kube_prometheus(), key=str))


def _with(project: Project, kube: Kubernetes) -> Project:
    return replace(project, objects=(*(obj for obj in project.objects if not isinstance(obj, Kubernetes)), kube))


def _packaged(project: Project, kube: Kubernetes) -> dict[str, Any]:
    changed = _with(project, kube)
    return kubernetes.render(changed, render_all(changed))


def test_the_index_is_every_object_kube_prometheus_jsonnet_installs() -> None:
    """MP020's index is what kube-prometheus' jsonnet evaluates to (the committed fixture, which the next test
    proves current), its published manifests among them."""
    objects = keys(fixture_objects())
    assert len(objects) == len(fixture_objects()) and objects == INSTALLED  # each object once
    assert manifests_corpus() <= objects
    assert {("Prometheus", "monitoring", "k8s"), ("ServiceAccount", "monitoring", "prometheus-k8s"),
            ("Secret", "monitoring", "alertmanager-main")} <= objects


def test_the_fixture_is_what_kube_prometheus_jsonnet_evaluates_to_now() -> None:
    """The committed evaluated-objects.json is the anchor's jsonnet evaluated and trimmed, byte for byte (written
    again by `python -m tests.gitops.kube_prometheus_objects`)."""
    kube_prometheus = anchor()
    if kube_prometheus is None:
        pytest.skip("no kube-prometheus anchor (shared/anchors/kube-prometheus or $KUBE_PROMETHEUS)")
    assert EVALUATED_FIXTURE.read_text() == fixture_text(kube_prometheus), "stale: python -m " \
        "tests.gitops.kube_prometheus_objects"


def test_the_shipped_out_kubernetes_replaces_no_kube_prometheus_object() -> None:
    shipped = _shipped()
    assert not _clashes(shipped), _clashes(shipped)
    assert ("ServiceAccount", "monitoring", "prometheus-obsgen") in shipped and len(shipped) > 30


def test_servers_obsgen_writes_are_its_own_by_default(project: Project) -> None:
    """Unnamed, the servers obsgen writes (and everything named for them) are obsgen's; written for kube-prometheus'
    servers (servers=False), only its Alertmanager's config Secret is, as meant."""
    own = keys(list(_packaged(project, Kubernetes()).values()))
    assert not _clashes(own), _clashes(own)
    assert {("Prometheus", "monitoring", "obsgen"), ("Alertmanager", "monitoring", "obsgen"),
            ("Role", "monitoring", "prometheus-obsgen")} <= own
    beside = keys(list(_packaged(project, Kubernetes(servers=False)).values()))
    assert beside & _kube_prometheus() == {("Secret", "monitoring", "alertmanager-main")}


def test_mp020_names_each_object_kube_prometheus_installs_too_at_the_name_that_made_it(project: Project) -> None:
    """Named as kube-prometheus' servers, every clash is said, each at the field naming it; only the Alertmanager's
    config Secret, meant to be kube-prometheus' with servers=False, is not."""
    for kube, meant in ((Kubernetes(prometheus_name="k8s", alertmanager_name="main"), set()),
                        (Kubernetes(servers=False), {"Secret monitoring/alertmanager-main"})):
        packaged = _packaged(project, kube)
        findings = list(kube_prometheus_object.check(Context(_with(project, kube), rendered=packaged)))
        said = {shown for finding in findings for shown in finding.message.split(": ")[1].split(", ")}
        assert said | meant == set(_clashes(keys(list(packaged.values()))).splitlines())
        assert {finding.field for finding in findings} == ({("prometheus_name",), ("alertmanager_name",)}
                                                           if kube.servers else set())


def test_obsgen_s_prometheus_selects_none_of_kube_prometheus_rules() -> None:
    """kube-prometheus' PrometheusRules in monitoring carry prometheus: k8s, role: alert-rules; obsgen's Prometheus
    selects its rules by label in its namespace, so its selector must not match theirs (it would evaluate all 234)."""
    prometheus = yaml.safe_load((SHIPPED / "prometheus/prometheus.yaml").read_text())
    selector = prometheus["spec"]["ruleSelector"]["matchLabels"].items()
    theirs = [document["metadata"]["labels"] for path in KUBE_PROMETHEUS
              for document in yaml.safe_load_all(Path(path).read_text())]
    assert theirs and not [labels for labels in theirs if selector <= labels.items()]
    ours = [yaml.safe_load(path.read_text())["metadata"]["labels"] for path in (SHIPPED / "prometheusrules").iterdir()]
    assert ours and all(selector <= labels.items() for labels in ours)
