"""An object out/kubernetes/ writes is too big for `kubectl apply`'s client-side apply.

Client-side apply (`kubectl apply`, `kubectl apply -k`, and Argo CD's sync unless told `ServerSideApply=true`)
keeps the whole object as JSON in its annotation `kubectl.kubernetes.io/last-applied-configuration`, and the API
server refuses an object whose annotations hold more than 262144 bytes ("metadata.annotations: Too long: must have
at most 262144 bytes"). A ConfigMap may hold 1 MiB, which the build enforces for a dashboard's, so a dashboard of
some 250 KiB to 1 MiB of JSON builds, and its ConfigMap is refused at the first sync; a big rule group's
PrometheusRule or the Alertmanager configuration's Secret the same. Server-side apply (`kubectl apply
--server-side`, Argo CD's `ServerSideApply=true`; Flux always applies so) keeps no such annotation.

Fix: split the dashboard (or the rule group), or apply server-side; where out/kubernetes/ is only ever applied
server-side, switch MP023 off at the definition saying so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.mapping.kube_prometheus_object import PACKAGED, responsible
from generator.core.errors import Level
from generator.model import Kubernetes

CODE = "MP023"
NAME = "client-side-apply"
LEVEL = Level.WARNING

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ANNOTATIONS_BYTES = 262144
"""The most the API server takes in one object's annotations, keys and values (apimachinery's
TotalAnnotationSizeLimitB)."""


GO_JSON_ESCAPES = {"<": 6, ">": 6, "&": 6, "\u2028": 6, "\u2029": 6}
"""What Go's encoding/json writes escaped beyond what Python's json does, and its bytes escaped (HTML-safe:
\\u003c where the text has <; PromQL's comparisons and a link's & in every dashboard). Counted, not replaced: a
translate() over every packaged object's JSON was 65 of a 110 ms build's checks on kube-prometheus."""


def annotation_bytes(document: Mapping[str, Any]) -> int:
    """What the object's annotations hold once client-side apply has added its own, as kubectl writes it
    (GetModifiedConfiguration): the object, its annotations an empty map when it has none, as Go's compact JSON
    with a newline, under LAST_APPLIED, beside the annotations the object already carries."""
    meta = document.get("metadata")
    annotations = dict((meta.get("annotations") or {}) if isinstance(meta, dict) else {})
    annotations.pop(LAST_APPLIED, None)
    own = sum(len(str(key).encode()) + len(str(value).encode()) for key, value in annotations.items())
    applied = {**document, "metadata": {**meta, "annotations": annotations}} if isinstance(meta, dict) else document
    last_applied = json.dumps(applied, separators=(",", ":"), ensure_ascii=False) + "\n"
    escaped = sum(last_applied.count(char) * (size - len(char.encode())) for char, size in GO_JSON_ESCAPES.items())
    return own + len(LAST_APPLIED) + len(last_applied.encode()) + escaped


def check(context: Context) -> Iterator[Finding]:
    declared = context.project.all(Kubernetes)
    if not declared:
        return
    kube = declared[0]
    for path, document in sorted(context.rendered.items()):
        if not path.startswith(PACKAGED) or not isinstance(document, dict) or "metadata" not in document:
            continue
        size = annotation_bytes(document)
        if size <= ANNOTATIONS_BYTES:
            continue
        meta = document["metadata"]
        at, _, _ = responsible(context.project, kube, path, meta["name"])
        what = "split the dashboard" if at is not kube else "split what it holds"
        yield Finding(at, f"kubernetes: {document['kind']} {meta.get('namespace')}/{meta['name']} (out/{path}) "
                          f"is {size} bytes as the last-applied annotation client-side apply adds, over the "
                          f"{ANNOTATIONS_BYTES} an object's annotations may hold: `kubectl apply` and Argo CD's "
                          f"default sync are refused ('metadata.annotations: Too long'); {what}, or apply "
                          "server-side (kubectl apply --server-side, Argo CD ServerSideApply=true, Flux), and "
                          "then switch MP023 off here saying so")
