"""Every object out/kubernetes/ ships can be applied client-side (`kubectl apply`, Argo CD's default sync), whose
last-applied annotation holds the whole object, within the 262144 bytes an object's annotations may hold (MP023;
its cases: tests/checks/cases/MP023.yml)."""

from __future__ import annotations

import yaml

from generator.checks.mapping.client_side_apply import ANNOTATIONS_BYTES, annotation_bytes
from tests.gitops.helpers import ROOT


def test_every_shipped_object_leaves_room_for_the_last_applied_annotation() -> None:
    sizes = {str(path.relative_to(ROOT)): annotation_bytes(document)
             for path in sorted((ROOT / "out/kubernetes").rglob("*.yaml")) if path.name != "kustomization.yaml"
             for document in yaml.safe_load_all(path.read_text())}
    assert len(sizes) > 40
    assert {path: size for path, size in sizes.items() if size > ANNOTATIONS_BYTES} == {}
    assert max(sizes.values()) > 100_000  # the SLO overview's ConfigMap: the measure is of the whole object


def test_the_annotation_holds_the_object_as_compact_json_beside_its_own_annotations() -> None:
    document = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "x", "annotations": {"folder": "Ops"}}, "data": {"x.json": '{"a": "é"}'}}
    written = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","annotations":{"folder":"Ops"}},' \
              '"data":{"x.json":"{\\"a\\": \\"é\\"}"}}'
    assert annotation_bytes(document) == len("folderOps") + len("kubectl.kubernetes.io/last-applied-configuration") \
        + len(written.encode())

