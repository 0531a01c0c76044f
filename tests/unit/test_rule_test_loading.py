"""A generated rule test loads its alerts' group and the recording groups they read, transitively, and no other:
promtool evaluates every loaded rule at every step, so an unread group would only cost time."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import yaml

from generator.build import build
from generator.core.promql import metric_names
from tests.edits import edit

OUT = Path(__file__).resolve().parents[2] / "out"

DEFINITIONS = '''
from generator.model import (Alert, AlertingConfig, Example, Metric, MetricType, RecordingRule, Severity, Source,
                             Stack)
STACK = Stack(name="t", docs_url="https://docs.example.com")
ALERTING = AlertingConfig(severities=(Severity(name="warning", cooldown=300),))
REQUESTS = Metric(name="http_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Requests.",
                  labels=("service", "status"))
QUEUE = Metric(name="queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, help="Queued jobs.")
REQUEST_RATE = RecordingRule(name="service:http_requests:rate5m", group="rates",
                             expr="sum by (service) (rate(http_requests_total[5m]))")
ERROR_RATE = RecordingRule(name="service:http_errors:rate5m", group="rates",
                           expr='sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))')
ERROR_RATIO = RecordingRule(name="service:http_errors:ratio_rate5m", group="ratios",
                            expr="service:http_errors:rate5m / service:http_requests:rate5m")
QUEUE_MAX = RecordingRule(name="job:queue_depth:max", group="queues", expr="max by (job) (queue_depth)")
ERRORS_HIGH = Alert(
    name="ErrorsHigh", metric=ERROR_RATIO, op=">", threshold=0.05, **{"for": "5m"}, severity="warning",
    summary="{{ $labels.service }} fails", description="More than 5% of requests fail.", runbook="Roll back.",
    examples=(Example(name="half failing fires", at="12m", fires=True, labels={"service": "api"}, series={
        'http_requests_total{service="api",status="500"}': "0+60x15",
        'http_requests_total{service="api",status="200"}': "0+60x15"}),),
)
'''


def _project(tmp_path: Path) -> Path:
    """Three recording groups: `ratios` read by the alert, `rates` read by `ratios`, `queues` read by nothing."""
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "__init__.py").write_text("")
    (definitions / "project.py").write_text(textwrap.dedent(DEFINITIONS).lstrip("\n"))
    out = tmp_path / "out"
    build(definitions, out)
    return out / "prometheus"


def promtool_test(prometheus: Path, test_file: str) -> subprocess.CompletedProcess[str]:
    """promtool's run of one rule test file, from the prometheus/ folder its paths are relative to."""
    return subprocess.run(["promtool", "test", "rules", test_file], cwd=prometheus, capture_output=True, text=True)


def test_a_rule_test_loads_the_recording_groups_its_alert_reads_transitively_and_no_other(tmp_path: Path) -> None:
    prometheus = _project(tmp_path)
    assert (prometheus / "rules/queues.yml").exists()  # Prometheus loads it (rules/*.yml); the test need not
    test = yaml.safe_load((prometheus / "tests/alerts.yml").read_text())
    assert test["rule_files"] == ["../rules/alerts.yml", "../rules/rates.yml", "../rules/ratios.yml"]
    assert test["group_eval_order"] == ["rates", "ratios", "alerts"]
    passed = promtool_test(prometheus, "tests/alerts.yml")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    # an unloaded group may be anything, even a rule promtool refuses: the test does not see it
    queues = prometheus / "rules/queues.yml"
    edit(queues, "max by (job) (queue_depth)", "max by (job) (queue_depth")
    unrelated = promtool_test(prometheus, "tests/alerts.yml")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    loading_it = {**test, "rule_files": [*test["rule_files"], "../rules/queues.yml"]}
    (prometheus / "tests/with-queues.yml").write_text(yaml.safe_dump(loading_it, sort_keys=False))
    assert promtool_test(prometheus, "tests/with-queues.yml").returncode == 1


def test_a_broken_recording_rule_two_groups_below_the_alert_fails_its_test(tmp_path: Path) -> None:
    prometheus = _project(tmp_path)
    rates = prometheus / "rules/rates.yml"
    # errors counted as 4xx: the example's 5xx no longer reach the ratio, so ErrorsHigh stays quiet
    edit(rates, 'status=~"5.."', 'status=~"4.."')
    failed = promtool_test(prometheus, "tests/alerts.yml")
    assert failed.returncode == 1
    assert "alertname: ErrorsHigh, time: 12m" in failed.stdout + failed.stderr


def test_each_shipped_alert_test_loads_exactly_the_recording_files_its_alerts_read() -> None:
    """Recomputed from out/ alone (escalation tests aside: their copies read every alert's condition, and load
    only what the alerts of the group they replay read; and tests loading a cut of the files, whose rules
    test_rule_test_cuts recomputes)."""
    rules = {f"../rules/{path.name}": yaml.safe_load(path.read_text())["groups"]
             for path in (OUT / "prometheus/rules").glob("*.yml")}
    recorded_in = {rule["record"]: file for file, groups in rules.items() for group in groups
                   for rule in group["rules"] if "record" in rule}
    checked = 0
    for path in sorted((OUT / "prometheus/tests").glob("*.yml")):
        if path.name.startswith("escalation-"):
            continue
        loaded = yaml.safe_load(path.read_text())["rule_files"]
        if not loaded[0].startswith("../rules/"):
            continue
        alerting = [file for file in loaded if any("alert" in rule for group in rules[file] for rule in group["rules"])]
        needed, todo = set(alerting), [rule["expr"] for file in alerting for group in rules[file]
                                       for rule in group["rules"]]
        while todo:
            for name in metric_names(todo.pop()):
                file = recorded_in.get(name)
                if file is not None and file not in needed:
                    needed.add(file)
                    todo += [rule["expr"] for group in rules[file] for rule in group["rules"]]
        assert sorted(loaded) == sorted(needed), path.name
        checked += 1
    assert checked > 10


IMPORTED_ALERTS = '''
from generator.model import ImportedRecord, RuleGroup, RuleSet
MIXIN = RuleSet(name="mixin", groups=(RuleGroup(name="alerts", rules=(
    ImportedRecord(name="job:queue_depth:sum", expr="sum by (job) (queue_depth)"),)),))
'''


def test_a_group_named_as_an_imported_group_is_still_ordered_after_what_it_reads(tmp_path: Path) -> None:
    """promtool orders groups by name alone (group_eval_order names each once; groups of one name share its place):
    an imported group named `alerts` beside obsgen's `alerts` still lets the order put `rates` and `ratios` first.
    Without it, ErrorsHigh would read the ratio of this step or of the previous one, by the run's chance."""
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "__init__.py").write_text("")
    (definitions / "project.py").write_text(textwrap.dedent(DEFINITIONS).lstrip("\n"))
    (definitions / "mixin.py").write_text(IMPORTED_ALERTS.lstrip("\n"))
    # obsgen's queues reads the rule set's series: every obsgen test loads the rule set, its `alerts` group too
    project = (definitions / "project.py").read_text().replace("(queue_depth)\"", "(job:queue_depth:sum)\"")
    (definitions / "project.py").write_text(project)
    build(definitions, tmp_path / "out")
    prometheus = tmp_path / "out/prometheus"
    test = yaml.safe_load((prometheus / "tests/alerts.yml").read_text())
    assert test["rule_files"] == ["../rules/alerts.yml", "../rules/rates.yml", "../rules/ratios.yml",
                                  "../rules/ruleset-mixin.yml"]
    assert test["group_eval_order"] == ["rates", "ratios", "alerts"]
    passed = promtool_test(prometheus, "tests/alerts.yml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
