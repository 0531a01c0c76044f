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


def test_the_annotation_holds_the_object_as_kubectl_writes_it_beside_its_own_annotations() -> None:
    """The value `kubectl create --dry-run=client --save-config -o json` (kubectl 1.32) wrote for this object: Go's
    encoding/json, which writes <, > and & as \\u003c, \\u003e and \\u0026 (6 bytes each, where the object holds
    1) and ends with a newline; an object of no annotations gets an empty map."""
    document = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "x", "namespace": "default", "annotations": {"folder": "Ops"}},
                "data": {"x.json": '{"expr": "rate(a[5m]) > 1 & b < 2", "é": "z"}'}}
    written = ('{"apiVersion":"v1","data":{"x.json":"{\\"expr\\": \\"rate(a[5m]) \\u003e 1 \\u0026 b \\u003c 2\\", '
               '\\"é\\": \\"z\\"}"},"kind":"ConfigMap","metadata":{"annotations":{"folder":"Ops"},"name":"x",'
               '"namespace":"default"}}\n')
    assert len(written.encode()) == 206  # as kubectl printed it
    assert annotation_bytes(document) == len("folderOps") + len("kubectl.kubernetes.io/last-applied-configuration") \
        + len(written.encode())
    bare = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "monitoring"}}
    assert annotation_bytes(bare) == len("kubectl.kubernetes.io/last-applied-configuration") + len(
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"annotations":{},"name":"x","namespace":"monitoring"}}\n')
