"""Evaluate kube-prometheus' rules_dashboards.jsonnet with jrsonnet or go-jsonnet; print eval seconds.

Run as a fresh process per measurement: `python bench/jsonnet_peer.py jrsonnet|gojsonnet [ENTRY]`, ENTRY
`rules_dashboards` (default, the whole entry) or `rules` (its prometheusRules field only; jsonnet is lazy,
so the dashboards are never evaluated). Without arguments (as `make bench` runs it): jrsonnet, whole entry.
The anchor's vendor/ links were flattened into small text files holding the link target, so the
import callback follows them; kube-prometheus' own library lives in jsonnet/.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _anchor() -> Path:
    """The kube-prometheus anchor: $KUBE_PROMETHEUS, else shared/anchors/ beside any parent of this checkout."""
    if os.environ.get("KUBE_PROMETHEUS"):
        return Path(os.environ["KUBE_PROMETHEUS"])
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "anchors" / "kube-prometheus"
        if candidate.is_dir():
            return candidate
    raise SystemExit("kube-prometheus anchor not found: set KUBE_PROMETHEUS")


ANCHOR = _anchor()
ENTRY = ANCHOR / "rules_dashboards.jsonnet"
SEARCH = (ANCHOR / "jsonnet", ANCHOR / "vendor")


def _resolve(base: Path, relative: str) -> Path | None:
    if os.path.isabs(relative):
        return Path(relative) if os.path.isfile(relative) else None
    path = base
    parts = relative.split("/")
    for index, part in enumerate(parts):
        path = path / part
        if index < len(parts) - 1 and path.is_file():  # a flattened symlink: its text is the target
            path = path.parent / path.read_text().strip()
    return path if path.is_file() else None


def import_callback(directory: str, relative: str) -> tuple[str, bytes]:
    """Find an import in the importing file's directory, then jsonnet/, then vendor/."""
    for base in (Path(directory), *SEARCH):
        found = _resolve(base, relative)
        if found is not None:
            return str(found), found.read_bytes()
    raise RuntimeError(f"import {relative!r} not found from {directory}")


ENTRIES = {"rules_dashboards": f"import '{ENTRY}'", "rules": f"(import '{ENTRY}').prometheusRules"}


def evaluate(engine: str, entry: str = "rules_dashboards") -> str:
    """The JSON text kube-prometheus' entry (or its rules alone) evaluates to."""
    snippet, name = ENTRIES[entry], str(ANCHOR / f"{entry}-bench.jsonnet")
    if engine == "jrsonnet":
        import rjsonnet

        def text_callback(directory: str, relative: str) -> tuple[str, str]:
            path, data = import_callback(directory, relative)
            return path, data.decode()

        return str(rjsonnet.evaluate_snippet(name, snippet, import_callback=text_callback))
    if engine == "gojsonnet":
        import _gojsonnet

        return str(_gojsonnet.evaluate_snippet(name, snippet, import_callback=import_callback))
    raise SystemExit(f"unknown engine {engine}")


if __name__ == "__main__":
    engine = sys.argv[1] if len(sys.argv) > 1 else "jrsonnet"
    entry = sys.argv[2] if len(sys.argv) > 2 else "rules_dashboards"
    start = time.perf_counter()
    output = evaluate(engine, entry)
    print(f"{time.perf_counter() - start:.4f} {len(output)}")
