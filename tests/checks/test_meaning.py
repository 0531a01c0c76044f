"""The meaning checks (semantics/) find their class in their cases and nothing in the shipped definitions."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

from generator.build import compile_definitions
from generator.checks.base import CheckModule
from generator.checks.registry import PROJECT_CHECKS

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


def _module(check: CheckModule) -> str:
    assert isinstance(check, ModuleType), check  # the registry lists check modules
    return check.__name__


MEANING = {check.CODE for check in PROJECT_CHECKS if _module(check).startswith("generator.checks.semantics.")}


def test_the_shipped_definitions_mean_what_they_say() -> None:
    report = compile_definitions(DEFINITIONS).report
    assert {"SM001", "SM002", "SM003", "SM004", "SM005", "SM006", "SM007", "SM008", "SM009", "SM010",
            "SM011", "SM012", "SM013", "SM014", "SM015", "SM016", "SM017", "SM018", "SM019", "SM020",
            "SM021", "SM022", "SM023", "SM024"} == MEANING
    assert [problem for problem in report.problems if problem.code in MEANING] == []
    # two switched off with their reasons: a RAG question's status is set once; the pipeline scrapes SLO's input is
    # a recording that is 0, not absent, while a job is down (meta55)
    assert [(p.code, reason) for p, reason in report.disabled if p.code in MEANING] == [
        ("SM003", "a RAG question's status is set once, when it is answered"),
        ("SM009", "job:up:max is 0, not absent, while a job's targets are down: no TargetDown to mute")]


def test_a_threshold_changed_in_the_rule_and_not_in_its_words_is_reported_at_the_alert(tmp_path: Path) -> None:
    # gitops55: CpuHigh's rule went from 90 to 85 while its summary, description and panel still said 90%
    definitions = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    alerts = definitions / "alerts.py"
    text = alerts.read_text()
    assert text.count("[5m]) > 90\"") == 1
    alerts.write_text(text.replace("[5m]) > 90\"", "[5m]) > 85\""))
    lines = text.splitlines()
    summary = next(n for n, line in enumerate(lines, 1) if n > lines.index('    name="CpuHigh", plan_name="cpu_high",')
                   and line.lstrip().startswith("summary="))
    panels = (DEFINITIONS / "dashboards_operations.py").read_text().splitlines()
    panel = next(n for n, line in enumerate(panels, 1) if "CpuHigh fires above 90%" in line)
    report = compile_definitions(definitions).report
    assert [(Path(p.location.file).name, p.location.line, p.message) for p in report.problems
            if p.code == "SM006"] == [
        ("alerts.py", summary, "alert CpuHigh: its text states 'above 90%', 'busier than 90%' but the rule compares "
                               "with 85 for 5m"),
        ("dashboards_operations.py", panel, "panel 'CPU Usage' (on alert CpuHigh): its text states 'above 90%' but "
                                            "the rule compares with 85 for 5m")]
