"""JobMissing's examples follow the jobs the build scrapes: a second team's ScrapeJob, in its own module, is a job
every example's input has a target of, so the first team's examples keep passing (newuser53 D7). By the real
promtool, on the rule and the tests obsgen writes for it."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import yaml

from generator.build import compile_definitions
from generator.model import conventions
from generator.targets import prometheus, rule_tests
from tests.servers import promtool_test

ROOT = Path(__file__).resolve().parents[2]
PAYMENTS = """
    from generator.model import ScrapeJob, Source
    PAYMENTS = ScrapeJob(name="payments", source=Source.APPLICATION, targets=("payments-1:8080",))
"""


def test_a_second_teams_scrape_job_keeps_job_missings_examples_passing(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(ROOT / "definitions", definitions, ignore=shutil.ignore_patterns("__pycache__"))
    (definitions / "payments.py").write_text(textwrap.dedent(PAYMENTS))
    project = compile_definitions(definitions).project
    assert project is not None
    alert = project.alerts["JobMissing"]
    assert 'absent(up{job="payments"})' in alert.condition
    rules = tmp_path / "out" / "prometheus"
    (rules / "rules").mkdir(parents=True)
    (rules / "tests").mkdir()
    (rules / "rules" / "alerts.yml").write_text(yaml.safe_dump({"groups": [
        {"name": alert.group, "rules": [prometheus.alert_rule(project, alert)]}]}))
    document = rule_tests.render(project)[f"{conventions.RULE_TESTS_DIR}/{alert.group}.yml"]
    tests = [test for test in document["tests"]
             if all(check["alertname"] == alert.name for check in test["alert_rule_test"])]
    assert len(tests) == len(alert.examples)
    ran = promtool_test({"rule_files": ["../rules/alerts.yml"], "evaluation_interval": "1m", "tests": tests},
                        rules / "tests" / "job-missing.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr
