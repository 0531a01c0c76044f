"""promtool simulates each test of a file from 0 to its last eval_time: tests that would simulate alike run once."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.model.project import Project
from generator.targets.prometheus import alert_rule
from generator.targets.rule_test_cuts import CUTS_DIR
from generator.targets.rule_tests import one_run_per_simulation, render

OUT = Path(__file__).resolve().parents[2] / "out"


def _simulation(test: dict[str, Any]) -> str:
    """What promtool's run of a test depends on, in one file: all but its name and its checks."""
    return json.dumps({k: v for k, v in test.items() if k not in ("name", "alert_rule_test", "promql_expr_test")},
                      sort_keys=True)


def test_no_generated_test_file_simulates_the_same_run_twice(project: Project) -> None:
    # the test files (the cut rule files some of them load beside them hold no tests)
    files = {name: document for name, document in render(project).items() if not name.startswith(f"{CUTS_DIR}/")}
    for name, document in files.items():
        runs = [_simulation(test) for test in document["tests"]]
        assert len(runs) == len(set(runs)), name
    # every example is still checked, at its time, in a test named for it
    for alert in project.alerts.values():
        tests = [test for name, document in files.items() if name.endswith(f"/{alert.group}.yml")
                 or f"/{alert.group}-every-" in name for test in document["tests"]]
        for example in alert.examples:
            test = next(test for test in tests if f"{alert.name}: {example.name}" in test["name"].split("; "))
            assert {"eval_time": example.at, "alertname": alert.name} in [
                {"eval_time": check["eval_time"], "alertname": check["alertname"]}
                for check in test["alert_rule_test"]], (alert.name, example.name)


def test_a_wrong_expectation_in_a_shared_run_still_fails(tmp_path: Path) -> None:
    """The shipped SLO tests share one quiet run between the burn-rate alerts; each alert's check is still read:
    one expecting its alert to fire there fails, naming the shared test."""
    prometheus = tmp_path / "prometheus"
    (prometheus / "tests").mkdir(parents=True)
    (prometheus / "rules").symlink_to(OUT / "prometheus/rules")
    document = yaml.safe_load((OUT / "prometheus/tests/slo-api-latency.yml").read_text())
    shared = next(test for test in document["tests"] if len(test["alert_rule_test"]) > 1)
    last = shared["alert_rule_test"][-1]
    assert last["exp_alerts"] == []
    (prometheus / "tests/shared.yml").write_text(yaml.safe_dump({**document, "tests": [shared]}, sort_keys=False))
    assert subprocess.run(["promtool", "test", "rules", "tests/shared.yml"], cwd=prometheus).returncode == 0
    last["exp_alerts"] = [{"exp_labels": {"service": "api"}}]
    (prometheus / "tests/shared.yml").write_text(yaml.safe_dump({**document, "tests": [shared]}, sort_keys=False))
    failed = subprocess.run(["promtool", "test", "rules", "tests/shared.yml"], cwd=prometheus,
                            capture_output=True, text=True)
    assert failed.returncode == 1
    assert f"alertname: {last['alertname']}, time: {last['eval_time']}" in failed.stdout + failed.stderr
    assert shared["name"] in failed.stdout + failed.stderr


def test_a_shared_run_keeps_every_check_of_each_kind() -> None:
    series = [{"series": "up", "values": "1x10"}]
    alert = {"eval_time": "5m", "alertname": "A", "exp_alerts": []}
    query = {"expr": "up", "eval_time": "5m", "exp_samples": [{"labels": "up", "value": 1}]}
    merged = one_run_per_simulation([
        {"name": "a", "interval": "1m", "input_series": series, "alert_rule_test": [alert]},
        {"name": "q", "interval": "1m", "input_series": series, "promql_expr_test": [query]},
        {"name": "other", "interval": "2m", "input_series": series, "alert_rule_test": [alert]},
    ])
    assert merged == [
        {"name": "a; q", "interval": "1m", "input_series": series, "alert_rule_test": [alert],
         "promql_expr_test": [query]},
        {"name": "other", "interval": "2m", "input_series": series, "alert_rule_test": [alert]},
    ]


def test_each_alert_rule_is_rendered_once(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """An alert's rule entry (its templates rendered, its dashboard link built) is made once for its own tests and
    its escalation tests alike: the shipped escalating alerts have both."""
    made: Counter[str] = Counter()

    def counted(project: Project, alert: Any) -> dict[str, Any]:
        made[alert.name] += 1
        return alert_rule(project, alert)

    monkeypatch.setattr("generator.targets.rule_tests.alert_rule", counted)
    files = render(project)
    assert any(path.split("/")[-1].startswith("escalation-") for path in files)
    assert any(project.escalation_of(alert) for alert in project.alerts.values())
    assert set(made) == set(project.alerts)
    assert {name: count for name, count in made.items() if count > 1} == {}
