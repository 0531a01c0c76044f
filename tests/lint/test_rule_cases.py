"""One generic test runs every lint rule's passing and failing cases (tests/lint/cases/<CODE>.yml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.checks.lint import RULES, lint, rule
from generator.checks.lint.dashboard_json import Context

CASES = Path(__file__).parent / "cases"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
PANEL: dict[str, Any] = {
    "type": "timeseries", "id": 1, "title": "Requests", "description": "Requests per second.",
    "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "datasource": DATASOURCE,
    "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
    "targets": [{"refId": "A", "datasource": DATASOURCE, "expr": "sum(rate(http_requests_total[$__rate_interval]))"}],
}
DASHBOARD: dict[str, Any] = {
    "uid": "case", "title": "Case",
    "templating": {"list": [{"type": "datasource", "name": "datasource", "query": "prometheus",
                             "current": {"value": "prometheus"}}]},
}
CONTEXT = Context(series=frozenset({"http_requests_total", "queue_depth", "up", "job:revenue:increase1h"}),
                  counters=frozenset({"http_requests_total"}))


def _dashboard(case: dict[str, Any]) -> dict[str, Any]:
    """The case's dashboard: the passing baseline with the case's panels and top-level fields over it."""
    document = copy.deepcopy(DASHBOARD) | copy.deepcopy(case.get("dashboard", {}))
    panels = case.get("panels", [case.get("panel", {})])
    document.setdefault("panels", [copy.deepcopy(PANEL) | p for p in panels])
    return document


def _cases() -> list[Any]:
    found = []
    for path in sorted(CASES.glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        found += [pytest.param(spec["rule"], case, id=f"{spec['rule']}: {case['name']}") for case in spec["cases"]]
    return found


def test_every_rule_has_a_case_file_with_passing_and_failing_cases() -> None:
    for module in RULES:
        spec = yaml.safe_load((CASES / f"{module.CODE}.yml").read_text())
        assert spec["rule"] == module.CODE
        assert {bool(c["fails"]) for c in spec["cases"]} == {True, False}, module.CODE


def test_the_baseline_case_passes_every_rule() -> None:
    assert lint(_dashboard({}), CONTEXT) == []


@pytest.mark.parametrize(("code", "case"), _cases())
def test_rule_case(code: str, case: dict[str, Any]) -> None:
    findings = lint(_dashboard(case), CONTEXT, rules=(rule(code),))
    assert len(findings) == case["fails"], [str(f) for f in findings]
    for expected in case.get("messages", []):
        assert any(expected in f.message for f in findings), [str(f) for f in findings]
