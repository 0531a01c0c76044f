"""A rebuild rewrites only the files whose bytes changed: a one-alert edit touches one file under out/."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from tests.speed.project import node_exporter_project

RULES = "prometheus/rules/ruleset-node-exporter-rules.yml"


def _files(out: Path) -> dict[str, tuple[int, int]]:
    """Every file under out/ with its inode and mtime."""
    found = {}
    for path in out.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(out))] = (stat.st_ino, stat.st_mtime_ns)
    return found


@pytest.mark.parametrize(("kubernetes", "rewritten"), [
    (False, [RULES]),
    # 2h becomes the longest `for`, so the Prometheus resource's outage tolerance follows (derive/for_state.py)
    (True, ["kubernetes/prometheus/prometheus.yaml",
            "kubernetes/prometheusrules/node-exporter-rules-node-exporter.yaml", RULES]),
], ids=["rules only", "with PrometheusRule objects"])
def test_a_one_alert_edit_rewrites_only_the_files_holding_that_alert(
        tmp_path: Path, kubernetes: bool, rewritten: list[str]) -> None:
    definitions, out = node_exporter_project(tmp_path, kubernetes), tmp_path / "out"
    build(definitions, out)
    before = _files(out)
    module = definitions / "node_exporter_prometheus_rule.py"
    source = module.read_text()
    assert source.count('"NodeFilesystemSpaceFillingUp"') == 2  # a warning and a critical rule: edit the first
    module.write_text(source.replace('for_="1h"', 'for_="2h"', 1))

    _, report = build(definitions, out)

    after = _files(out)
    assert report.written == rewritten
    assert sorted(name for name in after if after[name] != before[name]) == rewritten
    assert len(report.unchanged) == len(after) - len(rewritten) > 5 and report.removed == []
    assert 'for: 2h' in (out / RULES).read_text()


def test_a_rebuild_of_unchanged_definitions_writes_nothing(tmp_path: Path) -> None:
    definitions, out = node_exporter_project(tmp_path, kubernetes=True), tmp_path / "out"
    build(definitions, out)
    before = _files(out)
    _, report = build(definitions, out)
    assert report.written == [] and report.removed == []
    assert _files(out) == before
