"""Every object kube-prometheus installs, as (kind, namespace, name), evaluated from its jsonnet (the kube-prometheus
anchor's main.libsonnet with namespace monitoring, as its example.jsonnet and published manifests/ are built), to
prove the index MP020 reads (generator/checks/kube_prometheus.py); and the objects of its manifests under fixtures/.

fixtures/kube-prometheus/evaluated-objects.json holds those objects trimmed to what the tests read (kind, metadata
name, namespace and labels; Services' selector and ports; the Prometheus' and Alertmanager's whole spec), so that
they run without the anchor; `python -m tests.gitops.kube_prometheus_objects` writes it again from the anchor, and
test_kube_prometheus_names proves it is what the jsonnet evaluates to now.

The anchor's vendor/ links were flattened into small text files holding the link target; the import callback
follows them, looking in the importing file's directory, then jsonnet/, then vendor/ (as jsonnet-bundler lays
them out)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from generator.checks.kube_prometheus import ObjectKey
from tests.gitops.helpers import FIXTURES, KUBE_PROMETHEUS, KUBE_PROMETHEUS_DASHBOARDS, ROOT

EVALUATED_FIXTURE = FIXTURES / "kube-prometheus/evaluated-objects.json"
KEPT_METADATA = ("name", "namespace", "labels")
KEPT_SPEC = {"Service": ("selector", "ports"), "Prometheus": None, "Alertmanager": None}
"""Of each kind's spec, the fields the tests read (None: all of it, as the selector tests patch it)."""

KUBE_PROMETHEUS_IN_MONITORING = """
local kp = (import 'kube-prometheus/main.libsonnet') + { values+:: { common+: { namespace: 'monitoring' } } };
"""
"""kube-prometheus as its example.jsonnet builds it: `kp`, in namespace monitoring."""
EVERY_PART = """
[kp[component][part] for component in std.objectFields(kp) if std.isObject(kp[component])
 for part in std.objectFields(kp[component])]
"""
"""What kube-prometheus' example.jsonnet writes to manifests/ of `kp`: each part of each component (its setup/ CRDs
too)."""


def keys(documents: list[Any]) -> set[ObjectKey]:
    """The (kind, namespace, name) of each object, a List's items each."""
    found: set[ObjectKey] = set()
    for document in documents:
        if not isinstance(document, dict) or not {"metadata", "items"} & set(document):
            continue  # kustomization.yaml: no object
        for item in document["items"] if document["kind"].endswith("List") else [document]:
            found.add((item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]))
    return found


def manifests_corpus() -> set[ObjectKey]:
    """The objects of kube-prometheus' published manifests copied under fixtures/ (rules and dashboards)."""
    return keys([document for path in (*KUBE_PROMETHEUS, KUBE_PROMETHEUS_DASHBOARDS)
                 for document in yaml.safe_load_all(path.read_text())])


def anchor() -> Path | None:
    """The kube-prometheus anchor: $KUBE_PROMETHEUS, else shared/anchors/ beside a parent of this checkout."""
    if os.environ.get("KUBE_PROMETHEUS"):
        return Path(os.environ["KUBE_PROMETHEUS"])
    for parent in ROOT.parents:
        if (parent / "shared/anchors/kube-prometheus/jsonnet").is_dir():
            return parent / "shared/anchors/kube-prometheus"
    return None


def _resolve(base: Path, relative: str) -> Path | None:
    *folders, file = relative.split("/")
    for folder in folders:
        base /= folder
        if base.is_file():  # a flattened link: its text is the target
            base = base.parent / base.read_text().strip()
    return base / file if (base / file).is_file() else None


def evaluated_objects(kube_prometheus: Path, kp: str = KUBE_PROMETHEUS_IN_MONITORING) -> list[dict[str, Any]]:
    """The objects of documents(), a List's items each (kube-prometheus' dashboards' ConfigMapList)."""
    return [item for document in documents(kube_prometheus, kp) if isinstance(document, dict)
            for item in (document["items"] if document.get("kind", "").endswith("List") else [document])
            if "metadata" in item]


def documents(kube_prometheus: Path, kp: str = KUBE_PROMETHEUS_IN_MONITORING) -> list[Any]:
    """Every object kube-prometheus' jsonnet evaluates to (jrsonnet), whole; kp: jsonnet defining `kp` (as
    example.jsonnet does)."""
    import rjsonnet

    def imported(directory: str, relative: str) -> tuple[str, str]:
        for base in (Path(directory), kube_prometheus / "jsonnet", kube_prometheus / "vendor"):
            found = _resolve(base, relative)
            if found is not None:
                return str(found), found.read_text()
        raise RuntimeError(f"import {relative!r} not found from {directory}")

    text = rjsonnet.evaluate_snippet(str(kube_prometheus / "objects.jsonnet"), kp + EVERY_PART,
                                     import_callback=imported)
    return list(json.loads(text))



def trimmed(obj: dict[str, Any]) -> dict[str, Any]:
    """An evaluated object with only what the tests read of it (KEPT_METADATA, KEPT_SPEC)."""
    result = {"kind": obj["kind"],
              "metadata": {key: obj["metadata"][key] for key in KEPT_METADATA if key in obj["metadata"]}}
    if obj["kind"] in KEPT_SPEC:
        fields = KEPT_SPEC[obj["kind"]]
        result["spec"] = {key: value for key, value in obj["spec"].items() if fields is None or key in fields}
    return result


def fixture_text(kube_prometheus: Path) -> str:
    """The evaluated objects trimmed, as EVALUATED_FIXTURE holds them: a JSON list, one object a line (keys sorted),
    ordered by kind, namespace and name."""
    objects = sorted(map(trimmed, evaluated_objects(kube_prometheus)),
                     key=lambda obj: (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
    lines = ",\n".join(json.dumps(obj, sort_keys=True, separators=(",", ":")) for obj in objects)
    return f"[\n{lines}\n]\n"


def fixture_objects() -> list[dict[str, Any]]:
    """kube-prometheus' objects its jsonnet evaluates to, trimmed, as committed in EVALUATED_FIXTURE."""
    return list(json.loads(EVALUATED_FIXTURE.read_text()))


if __name__ == "__main__":
    found = anchor()
    if found is None:
        raise SystemExit("no kube-prometheus anchor (shared/anchors/kube-prometheus or $KUBE_PROMETHEUS)")
    EVALUATED_FIXTURE.write_text(fixture_text(found))
    print(f"wrote {EVALUATED_FIXTURE.relative_to(ROOT)} from {found}")
