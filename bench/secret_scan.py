"""The secret scan (SC001) on real trees: findings (false positives) and time.

Usage: ``python bench/secret_scan.py``. Scans what the shipped definitions render, then the same with every
kube-prometheus rule file and its dashboards imported (tests/gitops/fixtures/kube-prometheus). Goal: 0 findings.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.build import load  # noqa: E402
from generator.checks.base import Context  # noqa: E402
from generator.checks.secrets import leaks, message  # noqa: E402
from generator.importer.write import import_files  # noqa: E402
from generator.package import kubernetes  # noqa: E402
from generator.targets import render_all  # noqa: E402

FIXTURES = REPO / "tests/gitops/fixtures/kube-prometheus"


def scan(definitions: Path, what: str) -> int:
    """Render, scan, print the findings; their count."""
    project = load(definitions)
    rendered = render_all(project)
    rendered |= kubernetes.render(project, rendered)
    started = time.perf_counter()
    found = leaks(Context(project, rendered=rendered))
    print(f"{what}: {len(rendered)} documents scanned in {time.perf_counter() - started:.2f} s, "
          f"{len(found)} findings")
    for leak in found:
        print(f"  {leak.definition.location if leak.definition else '?'}: {message(leak)}")
    return len(found)


def main() -> int:
    """Both trees; exit 1 on any finding."""
    found = scan(REPO / "definitions", "shipped definitions")
    with tempfile.TemporaryDirectory(prefix="obsgen-secret-scan-") as tmp:
        definitions = Path(tmp) / "definitions"
        shutil.copytree(REPO / "definitions", definitions, ignore=shutil.ignore_patterns("__pycache__"))
        import_files([*sorted(FIXTURES.glob("*-prometheusRule.yaml")), FIXTURES / "grafana-dashboardDefinitions.yaml"],
                     definitions)
        found += scan(definitions, "with kube-prometheus imported (rules and dashboards)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
