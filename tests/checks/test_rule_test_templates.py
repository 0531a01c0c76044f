"""A firing example's promtool test expects the text Prometheus renders: its templates see `$labels` holding the
labels of the expression's result only (rules/alerting.go), not those the rule sets (severity, the escalation
policy, Alert.labels), and `$externalLabels` holding the server's. A summary printing `$labels.severity` builds
(SM011 warns), its test expects the empty value Prometheus prints, and the real promtool passes every generated
test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

BASE = Path(__file__).parent / "base"
CASE = '''from generator.model import Alert, Example

from ._alert import VALID

SEVERITY_SHOWN = Alert(**VALID | {
    "summary": "Load {{ $labels.severity }} on {{ $labels.instance }} in {{ $externalLabels.platform }}",
    "description": "{{ $labels.instance }} at {{ $value }} ({{ $labels.team }}, level {{ $labels.escalation_level }})",
    "labels": {"team": "ops", "where": "{{ $labels.instance }}-{{ $labels.severity }}"},
    "escalation": "default",
    "examples": (Example(name="fires", series={'node_load1{instance="a"}': "5x30"}, at="5m", fires=True,
                         labels={"instance": "a"}, value=5),),
})
'''


def _expected(out: Path, test_file: str) -> list[dict[str, Any]]:
    """Every exp_alerts entry of a generated promtool test file."""
    document = yaml.safe_load((out / "prometheus/tests" / test_file).read_text())
    return [alert for test in document["tests"] for check in test["alert_rule_test"] for alert in check["exp_alerts"]]


def test_a_template_printing_a_label_the_rule_sets_is_expected_empty_and_promtool_agrees(tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path / "definitions", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "definitions" / "case.py").write_text(CASE)
    stack = tmp_path / "definitions" / "stack.py"
    stack.write_text(stack.read_text().replace('STACK = Stack(name="case",',
                                               'STACK = Stack(name="case", external_labels={"platform": "shop"},'))

    built = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, capture_output=True, text=True)

    assert built.returncode == 0, built.stderr
    assert "its summary prints $labels.severity, but 'severity' is a label the rule sets" in built.stderr
    out = tmp_path / "out"
    own, = _expected(out, "alerts.yml")
    # the result's instance is printed; severity, team and the level are not in the result's labels; the
    # server's external labels are (promtool is given the stack's)
    assert own["exp_annotations"]["summary"] == "Load  on a in shop"
    assert own["exp_annotations"]["description"] == "a at 5 (, level )"
    # a rule label's template is expanded with the same labels: "a-", not "a-warning" nor the template itself
    assert own["exp_labels"] == {"escalation_policy": "default", "instance": "a", "severity": "warning",
                                 "team": "ops", "where": "a-"}
    # an escalation copy's result is the alert's ALERTS series: every label of the alert, not the level it adds
    copies = [alert for test_file in ("escalation-default-alerts.yml", "escalation-default.yml")
              for alert in _expected(out, test_file) if "escalation_level" in alert["exp_labels"]]
    assert len(copies) == 2
    assert all(copy["exp_annotations"]["summary"] == "Load warning on a in shop" for copy in copies)
    assert all("(ops, level ) Unresolved for 15m" in copy["exp_annotations"]["description"] for copy in copies)

    tests = sorted((out / "prometheus/tests").glob("*.yml"))
    assert [path.name for path in tests] == ["alerts.yml", "escalation-default-alerts.yml", "escalation-default.yml"]
    for path in tests:
        ran = subprocess.run(["promtool", "test", "rules", path.name], cwd=path.parent, capture_output=True,
                             text=True, timeout=300)
        assert ran.returncode == 0, ran.stdout + ran.stderr


URL_CASE = '''from generator.model import Alert, Example

from ._alert import VALID

LINKED = Alert(**VALID | {
    "summary": "Load high on {{ $labels.instance }}: {{ $externalURL }}/alerts",
    "description": "See {{ $externalURL }}/graph?g0.expr=node_load1 (from={{ $externalURL | urlquery }})",
    "escalation": "default",
    "examples": (Example(name="fires", series={'node_load1{instance="a"}': "5x30"}, at="5m", fires=True,
                         labels={"instance": "a"}),),
})
'''


def test_a_template_printing_the_external_url_is_expected_as_prometheus_prints_it_and_promtool_agrees(
        tmp_path: Path) -> None:
    """$externalURL is Prometheus' --web.external-url, which obsgen's stacks set to Stack.prometheus_url; Prometheus
    drops its path's trailing slash (computeExternalURL), and the test group gives promtool the same."""
    shutil.copytree(BASE, tmp_path / "definitions", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "definitions" / "case.py").write_text(URL_CASE)
    stack = tmp_path / "definitions" / "stack.py"
    stack.write_text(stack.read_text().replace(
        'STACK = Stack(name="case",', 'STACK = Stack(name="case", prometheus_url="http://prometheus.example:9090/prom/",'))

    built = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, capture_output=True, text=True)

    assert built.returncode == 0, built.stderr
    out = tmp_path / "out"
    own, = _expected(out, "alerts.yml")
    assert own["exp_annotations"]["summary"] == "Load high on a: http://prometheus.example:9090/prom/alerts"
    assert own["exp_annotations"]["description"] == (
        "See http://prometheus.example:9090/prom/graph?g0.expr=node_load1 "
        "(from=http%3A%2F%2Fprometheus.example%3A9090%2Fprom)")
    copies = [alert for test_file in ("escalation-default-alerts.yml", "escalation-default.yml")
              for alert in _expected(out, test_file) if "escalation_level" in alert["exp_labels"]]
    assert copies and all(copy["exp_annotations"]["summary"].endswith(": http://prometheus.example:9090/prom/alerts")
                          for copy in copies)
    for path in sorted((out / "prometheus/tests").glob("*.yml")):
        assert yaml.safe_load(path.read_text())["tests"][0]["external_url"] == "http://prometheus.example:9090/prom"
        ran = subprocess.run(["promtool", "test", "rules", path.name], cwd=path.parent, capture_output=True,
                             text=True, timeout=300)
        assert ran.returncode == 0, ran.stdout + ran.stderr
