"""A rule group names a file under out/prometheus/rules/ (or Loki's rules): a group that is no file name is refused
at the definition's `group=` line, through `obsgen build` on a temporary project."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.model import LogRecordingRule, RecordingRule

BASE = Path(__file__).resolve().parents[1] / "checks" / "base"

GENERATING = '''from generator.model import (AggregationPolicy, Alert, ImportedAlert, LatencySLI, Metric, MetricType,
                             RecordingRule, RuleGroup, RuleSet, ScrapeJob, SLO, Source)
from ._alert import VALID
latency = Metric(name="req_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION, help="h",
                 buckets=(0.1, 0.25, 1))
queue = Metric(name="queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, help="g")
API = ScrapeJob(name="api", source=Source.APPLICATION, targets=("localhost:8000",))
SLOW = SLO(service="api", name="latency", objective=99, description="fast",
           sli=LatencySLI(histogram=latency, threshold=0.25))
PLAN = AggregationPolicy(name="plan", metrics=(queue,), windows=("5m", "1h"), functions=("avg",))
MIXIN = RuleSet(name="mixin", groups=(RuleGroup(name="g", rules=(
    ImportedAlert(name="LoadVeryHigh", expr="node_load1 > 10", labels={"severity": "warning"}),)),))
HOSTS = Alert(**VALID | {"group": "hosts", "escalation": "default"})
'''
"""A project generating a group of each form (line 13 is the last): an SLO's, an aggregation policy's windows',
a rule set's file, an escalation policy's copies of the alert group hosts."""
LINE = GENERATING.count("\n") + 1
"""The line of a case's first statement."""
RULE = 'RecordingRule(name="job:x:rate5m", expr="sum by (job) (rate(requests_total[5m]))",\n    group={!r})'
ALERT = 'Alert(**VALID | {{"name": "Mine"}},\n    group={!r})'
"""A case: a recording rule or an alert whose group (on the case's second line) is the name given."""


def _write(root: Path, case: str) -> None:
    definitions = root / "definitions"
    if not definitions.exists():
        shutil.copytree(BASE, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    (definitions / "case.py").write_text(GENERATING + case + "\n")


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build"], cwd=root, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("group", ["../../outside", "sub/dir", ""])
def test_a_recording_rule_group_that_is_no_file_name_is_refused_at_its_line(tmp_path: Path, group: str) -> None:
    _write(tmp_path, f"CASE = {RULE.format(group)}")

    done = _build(tmp_path)

    printed = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in printed
    assert f"error: definitions/case.py:{LINE + 1}: RecordingRule: group: {group!r} names a file under out/" in printed
    assert not (tmp_path / "out").exists() and not (tmp_path / "outside.yml").exists()


def test_log_recording_groups_are_file_names_too() -> None:
    with pytest.raises(ValidationError, match="names a file under out/"):
        LogRecordingRule(name="job:log_errors:rate5m", expr='rate({job="a"}[5m])', group="../rules")
    assert RecordingRule(name="job:x:rate5m", expr="x", group="a.b-c_d").group == "a.b-c_d"
