"""One generic test runs every code's passing and failing cases (tests/checks/cases/<CODE>.yml), as sqlfluff does.

A case file holds either definitions cases, each a module added to the smallest valid project (tests/checks/base/)
with the problems of that code it must give (line and part of the message), or dashboard cases for the lint rules,
each a panel of a Grafana dashboard document and the number of findings.
"""

from __future__ import annotations

import copy
import shutil
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import compile_definitions, load
from generator.checks.base import Context
from generator.checks.lint import RULES, lint
from generator.checks.lint.dashboard_json import LintContext
from generator.checks.lint.rule_evaluation import Recorded
from generator.checks.lint.scrape_intervals import Scraped
from generator.checks.registry import RENDERED_CHECKS, catalogue
from generator.load.codes import CODES

HERE = Path(__file__).parent
CASES = HERE / "cases"
BASE = HERE / "base"
CASE_MODULE = "case.py"
LOADER = {code.code for code in CODES}
"""The loader's codes: a definition it refuses is left out of the project the other checks see."""

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
LINT_CONTEXT = LintContext(series=frozenset({"http_requests_total", "queue_depth", "up", "job:revenue:increase1h"}),
                           counters=frozenset({"http_requests_total"}),
                           recorded={"job:revenue:increase1h": Recorded("revenue", "prometheus/rules/revenue.yml",
                                                                        60.0, own_interval=True)},
                           scraped={"queue_depth": (Scraped("batch", "jobs.py:1", 60.0, True,
                                                            {"job": "batch", "tier": "offline"}),
                                                    Scraped("queue", "jobs.py:2", 15.0, False, {"job": "queue"})),
                                    "http_requests_total": (Scraped("api", "jobs.py:3", 15.0, False, {"job": "api"}),)})


def _specs() -> dict[str, dict[str, Any]]:
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(CASES.glob("*.yml"))}


def _params(kind: str) -> list[Any]:
    return [pytest.param(code, case, id=f"{code}: {case['name']}")
            for code, spec in _specs().items() for case in spec.get(kind, [])]


def project_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """The base project with the case's files added (or replacing base files; an empty text removes one)."""
    definitions = tmp_path / "definitions"
    shutil.copytree(BASE, definitions)
    for name, text in files.items():
        if text.strip():
            (definitions / name).parent.mkdir(parents=True, exist_ok=True)
            (definitions / name).write_text(textwrap.dedent(text))
        else:
            (definitions / name).unlink()
    return definitions


def test_every_code_has_a_case_file_with_passing_and_failing_cases() -> None:
    specs = _specs()
    for entry in catalogue():
        assert entry.code in specs, f"{entry.code} has no tests/checks/cases/{entry.code}.yml"
        spec = specs[entry.code]
        cases = spec.get("cases", []) + spec.get("dashboard_cases", []) + spec.get("rendered_cases", [])
        outcomes = {bool(case.get("problems") or case.get("fails")) for case in cases}
        # a mapping said for every definition it applies to (DESIGN: never a request dropped silently) has no
        # passing case; its spec says why
        needed = {True} if spec.get("always_said") else {True, False}
        assert outcomes == needed, f"{entry.code} needs a passing and a failing case"
    assert set(specs) == {entry.code for entry in catalogue()}


def test_the_base_project_has_no_errors(tmp_path: Path) -> None:
    report = compile_definitions(project_with(tmp_path, {})).report
    assert report.errors == []


@pytest.mark.parametrize(("code", "case"), _params("cases"))
def test_definitions_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    files = dict(case.get("files", {}))
    if "module" in case:
        files[CASE_MODULE] = case["module"]
    report = compile_definitions(project_with(tmp_path, files)).report
    found = [p for p in report.problems if p.code == code]
    expected = case.get("problems", [])
    shown = [f"{Path(p.location.file).name}:{p.location.line}: {p.message}" for p in found]
    # a case whose definitions do not load checks nothing: every check but the loader's would pass it
    unloaded = [f"{p.code} {p.message}" for p in report.problems if p.code in LOADER]
    assert code in LOADER or unloaded == [], unloaded
    # a check that raises on a broken project is a finding of its own ("could not run ... please report this"):
    # every case's project, however broken, is one the other checks must read without failing
    crashed = [p.message for p in report.problems if " could not run (" in p.message]
    assert crashed == []
    assert len(found) == len(expected), shown
    for problem, want in zip(sorted(found, key=lambda p: p.order), expected, strict=True):
        assert Path(problem.location.file).name == want.get("file", CASE_MODULE), shown
        assert problem.location.line == want["line"], shown
        assert want.get("message", "") in problem.message, shown


def _dashboard(case: dict[str, Any]) -> dict[str, Any]:
    """The case's dashboard: the passing baseline with the case's panels and top-level fields over it."""
    document: dict[str, Any] = copy.deepcopy(DASHBOARD) | copy.deepcopy(case.get("dashboard", {}))
    panels = case.get("panels", [case.get("panel", {})])
    document.setdefault("panels", [copy.deepcopy(PANEL) | p for p in panels])
    return document


def test_the_baseline_dashboard_passes_every_rule() -> None:
    assert [found for rule in RULES for found in lint(_dashboard({}), LINT_CONTEXT, rule)] == []


@pytest.mark.parametrize(("code", "case"), _params("rendered_cases"))
def test_rendered_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    project = load(project_with(tmp_path, {}))
    module = next(m for m in RENDERED_CHECKS if code == m.CODE)
    findings = list(module.check(Context(project, rendered={case["path"]: case["document"]})))
    assert len(findings) == case["fails"], [f.message for f in findings]


@pytest.mark.parametrize(("code", "case"), _params("dashboard_cases"))
def test_dashboard_case(code: str, case: dict[str, Any]) -> None:
    rule = next(r for r in RULES if code == r.CODE)
    context = replace(LINT_CONTEXT, min_step=float(case["min_step"])) if "min_step" in case else LINT_CONTEXT
    findings = list(lint(_dashboard(case), context, rule))
    assert len(findings) == case["fails"], [message for _, message in findings]
    for expected in case.get("messages", []):
        assert any(expected in message for _, message in findings), [message for _, message in findings]


def test_a_failed_statement_declaring_scrape_jobs_gives_one_error_not_follow_on_warnings(tmp_path: Path) -> None:
    # newuser52 D6: Source.EXPORTER in the jobs list gave its LD001 and five MP008/MP012/MP014 warnings about the
    # jobs the list was meant to declare
    report = compile_definitions(project_with(tmp_path, {CASE_MODULE: """
        from generator.model import Forecast, ScrapeJob, Source, TracingPolicy
        TRACING = TracingPolicy(default_ratio=0.1)
        LOAD = Forecast(name="load", help="Load.", expr="max(node_load1)", season="1d", history="2w")
        JOBS = [ScrapeJob(name="tempo", source=Source.TEMPO, targets=("tempo:3200",)),
                ScrapeJob(name="exporter", source=Source.EXPORTER, targets=("localhost:9188",))]
    """})).report
    assert [(p.code, p.location.line) for p in report.problems if p.code == "LD001"] == [("LD001", 6)]
    assert [p.message for p in report.problems if p.code in {"MP008", "MP012", "MP014", "SM009"}] == []


def test_a_failed_statement_declaring_a_labelled_scrape_job_gives_no_follow_on_label_findings(tmp_path: Path) -> None:
    # hook52a: the failed list held the job adding tier="web"; SM014 then said no series carries 'tier'
    report = compile_definitions(project_with(tmp_path, {CASE_MODULE: """
        from generator.model import Alert, Metric, MetricType, ScrapeJob, Source
        from ._alert import VALID
        REQS = Metric(name="http_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                      help="Requests.", labels=("service",))
        JOBS = [ScrapeJob(name="shop", source=Source.APPLICATION, targets=("shop:8080",), labels={"tier": "web"}),
                ScrapeJob(name="exporter", source=Source.EXPORTER, targets=("localhost:9188",))]
        WEB = Alert(**VALID | {"name": "WebErrors",
                               "expr": "sum by (tier) (rate(http_requests_total{tier='web'}[5m])) > 1"})
    """})).report
    assert [(p.code, p.location.line) for p in report.problems if p.code == "LD001"] == [("LD001", 7)]
    assert [p.message for p in report.problems if p.code in {"SM011", "SM012", "SM014"}] == []


def test_a_failed_statement_declaring_a_histogram_or_its_rules_gives_no_follow_on_quantile_findings(
        tmp_path: Path) -> None:
    # checks56: SM020 reads le from declared metrics and recording rules; one whose statement failed leaves its
    # series undeclared (labels unknown, not judged), so SM020 needs no READS_EVERY: this pins that
    report = compile_definitions(project_with(tmp_path, {CASE_MODULE: """
        from generator.model import Alert, Metric, MetricType, RecordingRule, Source
        from ._alert import VALID
        LATENCY = Metric(name="request_seconds", type=MetricType.HISTOGRAM, source=Source.EXPORTER,
                         help="Latency.", labels=("service",))
        RULES = [RecordingRule(name="service_le:request_seconds_bucket:rate5m",
                               expr="sum by (service, le) (rate(request_seconds_bucket[5m]))"),
                 RecordingRule(name="other", expr=Source.EXPORTER)]
        P99 = "histogram_quantile(0.99, sum without (instance) (rate(request_seconds_bucket[5m])))"
        SLOW = Alert(**VALID | {"name": "SlowRequests", "expr": P99 + " > 0.5"})
        RECORDED = Alert(**VALID | {"name": "SlowRecorded",
                                    "expr": "histogram_quantile(0.99, service_le:request_seconds_bucket:rate5m) > 0.5"})
    """})).report
    assert [(p.code, p.location.line) for p in report.problems if p.code == "LD001"] == [("LD001", 4), ("LD001", 8)]
    assert [p.message for p in report.problems if p.code == "SM020"] == []
