"""Overrides of imported rules: thresholds, for, severity changed and alerts disabled without forking the rules."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build, load
from generator.core.errors import DefinitionError
from generator.core.thresholds import replace_threshold, thresholds
from generator.importer.write import import_files
from tests.gitops.helpers import FIXTURES, copy_definitions

NODE_RULES = FIXTURES / "kube-prometheus/nodeExporter-prometheusRule.yaml"


def _project_with(tmp_path: Path, overrides: str) -> Path:
    definitions = copy_definitions(tmp_path)
    import_files([NODE_RULES], definitions)
    (definitions / "overrides.py").write_text(
        "from generator.model import AlertOverride\n\n" + textwrap.dedent(overrides))
    return definitions


def _rules(out: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load((out / "prometheus/rules/ruleset-node-exporter-rules.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def test_a_threshold_is_replaced_in_place_keeping_the_rest_of_the_text() -> None:
    expr = "(\n  avail / size * 100 < 5\nand\n  readonly == 0\n)\n"
    assert replace_threshold(expr, 10) == "(\n  avail / size * 100 < 10\nand\n  readonly == 0\n)\n"
    assert replace_threshold("rate(x[5m]) > -0.5", 2.5) == "rate(x[5m]) > 2.5"
    assert [t.value for t in thresholds('histogram_quantile(0.9, rate(x_bucket{le="1"}[5m])) > 2 * 3')] == []


def test_an_expression_with_several_thresholds_needs_the_current_one_named() -> None:
    expr = "free / size * 100 < 15 and predict_linear(free[6h], 24*60*60) < 0"
    with pytest.raises(ValueError, match="compares against 15, 0: say which with current_threshold="):
        replace_threshold(expr, 20)
    assert replace_threshold(expr, 20, current=15).startswith("free / size * 100 < 20 and")


def test_disabling_one_alert_and_raising_another_threshold_shows_in_out(tmp_path: Path) -> None:
    definitions = _project_with(tmp_path, """
        QUIET_CLOCK = AlertOverride(rule_set="node-exporter-rules", alert="NodeClockNotSynchronising", disable=True)
        MORE_ROOM = AlertOverride(rule_set="node-exporter-rules", alert="NodeFilesystemAlmostOutOfSpace",
                                  match_labels={"severity": "warning"}, threshold=10, **{"for": "10m"})
        PAGE_ON_OOM = AlertOverride(rule_set="node-exporter-rules", alert="NodeMemoryHighUtilization",
                                    severity="critical")
    """)
    build(definitions, tmp_path / "out")
    rules = _rules(tmp_path / "out")
    names = [rule["alert"] for rule in rules]
    assert "NodeClockNotSynchronising" not in names and "NodeClockSkewDetected" in names
    space = [rule for rule in rules if rule["alert"] == "NodeFilesystemAlmostOutOfSpace"]
    warning, critical = sorted(space, key=lambda rule: rule["labels"]["severity"], reverse=True)
    assert "* 100 < 10\n" in warning["expr"] and warning["for"] == "10m"
    assert "* 100 < 3\n" in critical["expr"] and critical["for"] == "30m"  # the other severity is untouched
    memory = next(rule for rule in rules if rule["alert"] == "NodeMemoryHighUtilization")
    assert memory["labels"]["severity"] == "critical"


@pytest.mark.parametrize(("override", "message"), [
    ('AlertOverride(rule_set="node-exporter-rules", alert="NodeClockNotSynchronized", disable=True)',
     r"overrides.py:3: rule set node-exporter-rules has no alert 'NodeClockNotSynchronized'; "
     r"did you mean NodeClockNotSynchronising"),
    ('AlertOverride(rule_set="node-exporter", alert="NodeClockNotSynchronising", disable=True)',
     r"overrides.py:3: unknown rule set 'node-exporter'; did you mean 'node-exporter-rules'\?"),
    ('AlertOverride(rule_set="node-exporter-rules", alert="NodeFilesystemSpaceFillingUp", threshold=20)',
     r"overrides.py:3: cannot change the threshold of NodeFilesystemSpaceFillingUp: it compares against 15, 0"),
    ('AlertOverride(rule_set="node-exporter-rules", alert="NodeLoad", severity="page")',
     r"overrides.py:3: rule set node-exporter-rules has no alert 'NodeLoad'"),
    ('AlertOverride(rule_set="node-exporter-rules", alert="NodeMemoryHighUtilization", severity="page")',
     r"overrides.py:3: unknown severity 'page'; defined: critical, emergency, info, warning"),
    ('AlertOverride(rule_set="node-exporter-rules", alert="NodeRAIDDegraded", match_labels={"severity": "info"},'
     " disable=True)",
     r"overrides.py:3: no NodeRAIDDegraded alert of rule set node-exporter-rules has labels \{'severity': 'info'\}"),
])
def test_an_override_naming_nothing_that_exists_fails_the_build(tmp_path: Path, override: str, message: str) -> None:
    definitions = _project_with(tmp_path, f"OVERRIDE = {override}\n")
    with pytest.raises(DefinitionError, match=message):
        load(definitions)
