"""Escalation copies are written in one rule group per (policy, alert group), escalation-<policy>-<alert group>, so
a promtool test of one alert group's escalation loads those alerts' copies only: promtool evaluates every loaded rule
at every step, and the copies of every other alert would only cost time."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[2] / "out"
BASE = Path(__file__).resolve().parents[1] / "checks" / "base"

TWO_GROUPS = '''from generator.model import Alert, Example

from ._alert import VALID

HOSTS = Alert(**VALID | {"group": "hosts", "escalation": "default"})
VERY_HIGH = Alert(**VALID | {
    "name": "LoadVeryHigh", "expr": "node_load1 > 8", "group": "very-high", "escalation": "default",
    "examples": (Example(name="fires", series={'node_load1{instance="a"}': "9x30"}, at="5m", fires=True,
                         labels={"instance": "a"}),),
})
QUIET = Alert(**VALID | {"name": "QuietHost", "group": "hosts", "escalation": ""})
'''

CLASHING = '''from generator.model import Alert, RecordingRule

from ._alert import VALID

CLASH = Alert(**VALID | {"group": "escalation-default-hosts"})
RECORDED = RecordingRule(name="instance:node_load1:max", expr="max by (instance) (node_load1)",
                         group="escalation-x")
'''


def _rules(path: Path) -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def _copies(rules: list[dict[str, Any]]) -> set[str]:
    """The alerts whose escalation copies are among these rules."""
    return {rule["alert"] for rule in rules if "escalation_level" in rule.get("labels", {})}


def _checked(document: dict[str, Any]) -> set[str]:
    return {check["alertname"] for test in document["tests"] for check in test["alert_rule_test"]}


def _build(tmp_path: Path, case: str) -> subprocess.CompletedProcess[str]:
    shutil.copytree(BASE, tmp_path / "definitions", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "definitions" / "case.py").write_text(case)
    return subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, capture_output=True, text=True)


def test_each_shipped_escalation_test_loads_the_copies_of_the_alerts_it_replays_and_no_other() -> None:
    """The copies a test loads are those of the alert groups of the alerts it checks (with those replayed, their
    group's alerts no test replays: one without an example at the tests' interval), all in one file."""
    rules = {f"../rules/{path.name}": _rules(path) for path in (OUT / "prometheus/rules").glob("*.yml")}
    group_of = {rule["alert"]: file for file, found in rules.items() for rule in found
                if "alert" in rule and "escalation_level" not in rule.get("labels", {})}
    tests = sorted((OUT / "prometheus/tests").glob("escalation-*.yml"))
    assert len(tests) > 5
    for path in tests:
        document = yaml.safe_load(path.read_text())
        holding = [file for file in document["rule_files"] if _copies(rules[file])]
        copied = {alert for file in holding for alert in _copies(rules[file])}
        assert {group_of[alert] for alert in copied} == {group_of[alert] for alert in _checked(document)}, path.name
        assert len(holding) == 1, path.name


def test_each_shipped_escalation_group_holds_the_copies_of_one_alert_group_climbing_one_policy() -> None:
    rules_dir = OUT / "prometheus/rules"
    climbing: dict[str, set[str]] = {}
    for path in rules_dir.glob("*.yml"):
        for rule in _rules(path):
            policy = rule.get("labels", {}).get("escalation_policy")
            if policy and not path.name.startswith("escalation-"):
                climbing.setdefault(f"escalation-{policy}-{path.stem}", set()).add(rule["alert"])
    copies = {path.stem: {rule["alert"] for rule in _rules(path)} for path in rules_dir.glob("escalation-*.yml")}
    assert copies == climbing
    assert all(yaml.safe_load((rules_dir / f"{name}.yml").read_text())["groups"][0]["name"] == name
               for name in copies)


def test_two_alert_groups_climbing_a_policy_get_an_escalation_group_each_and_their_tests_pass(tmp_path: Path) -> None:
    built = _build(tmp_path, TWO_GROUPS)

    assert built.returncode == 0, built.stderr
    prometheus = tmp_path / "out/prometheus"
    assert sorted(path.name for path in (prometheus / "rules").glob("escalation-*.yml")) == [
        "escalation-default-hosts.yml", "escalation-default-very-high.yml"]
    assert {rule["alert"] for rule in _rules(prometheus / "rules/escalation-default-hosts.yml")} == {"LoadHigh"}
    assert {rule["alert"] for rule in _rules(prometheus / "rules/escalation-default-very-high.yml")} == {"LoadVeryHigh"}
    loads = {path.name: yaml.safe_load(path.read_text())["rule_files"]
             for path in (prometheus / "tests").glob("escalation-*.yml")}
    assert loads == {
        # the levels' timing, on the policy's first alert (LoadHigh, in definition order): its copies alone
        "escalation-default.yml": ["../rules/escalation-default-hosts.yml"],
        "escalation-default-very-high.yml": ["../rules/escalation-default-very-high.yml", "../rules/very-high.yml"],
        "escalation-default-hosts.yml": ["../rules/escalation-default-hosts.yml", "../rules/hosts.yml"],
    }
    for path in sorted((prometheus / "tests").glob("*.yml")):
        ran = subprocess.run(["promtool", "test", "rules", path.name], cwd=path.parent, capture_output=True,
                             text=True, timeout=300)
        assert ran.returncode == 0, path.name + ran.stdout + ran.stderr


def test_a_definition_group_named_like_escalation_copies_is_refused_at_its_line(tmp_path: Path) -> None:
    built = _build(tmp_path, CLASHING)

    assert built.returncode != 0
    assert "Traceback" not in built.stderr + built.stdout
    errors = [line for line in (built.stderr + built.stdout).splitlines() if "starts with 'escalation-'" in line]
    assert [line.split(": ")[1] for line in errors] == ["definitions/case.py:5", "definitions/case.py:7"], errors
    assert not (tmp_path / "out/prometheus/rules").exists()
