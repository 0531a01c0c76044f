"""Prometheus 3 reads a range [w] at t as (t - w, t]; promtool here (Debian's 2.42) as [t - w, t]. A rule test whose
samples fall on its windows' starts can pass here for a rule that returns nothing on 3.x: SM017 says so.

Prometheus 3's reading is played on the real promtool by rewriting each rule's [w] as [w - 1ms]: samples carry
millisecond timestamps, so [t - w + 1ms, t] holds exactly what (t - w, t] holds.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from generator.build import build
from generator.core.duration import parse_seconds
from generator.core.promql_text import rescaled_text
from tests.checks.test_cases import project_with
from tests.unit.test_rule_test_loading import promtool_test

RISING = '''
from generator.model import Alert, Example
from ._alert import VALID
RISING = Alert(**VALID | {{"name": "LoadRising", "expr": "deriv(node_load1[5m]) > 0", "examples": (
    Example(name="rises", series={{'node_load1{{instance="a"}}': "1+1x20"}}, at="30m", fires=True,
            labels={{"instance": "a"}}, interval="{interval}"),)}})
'''


def left_open(prometheus: Path, into: Path) -> Path:
    """A copy of out/prometheus whose rules read each range as Prometheus 3 does, for promtool 2.x (the shipped
    rule files and the cuts of them some tests load, tests/rules/)."""
    shutil.copytree(prometheus, into)
    for path in [*(into / "rules").glob("*.yml"), *(into / "tests/rules").glob("*.yml")]:
        document = yaml.safe_load(path.read_text())
        for group in document["groups"]:
            for rule in group["rules"]:
                rule["expr"] = rescaled_text(rule["expr"], lambda w: f"{round(parse_seconds(w) * 1000) - 1}ms",
                                             lambda shift: shift)
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    return into


def _built(tmp_path: Path, interval: str) -> tuple[list[str], Path]:
    definitions = project_with(tmp_path, {"case.py": RISING.format(interval=interval)})
    compiled, _ = build(definitions, tmp_path / "out")
    said = [f"{Path(p.location.file).name}:{p.location.line}: {p.message}" for p in compiled.report.problems
            if p.code == "SM017"]
    return said, tmp_path / "out/prometheus"


def test_an_example_on_its_windows_starts_passes_on_promtool_2_and_fails_as_prometheus_3_reads_it(
        tmp_path: Path) -> None:
    said, prometheus = _built(tmp_path, "5m")
    assert len(said) == 1 and said[0].startswith("case.py:5: alert LoadRising example 'rises' is sampled every 5m")
    here = promtool_test(prometheus, "tests/alerts-every-5m.yml")
    assert here.returncode == 0, here.stdout + here.stderr
    three = promtool_test(left_open(prometheus, tmp_path / "left-open"), "tests/alerts-every-5m.yml")
    assert three.returncode == 1
    assert "alertname: LoadRising, time: 30m" in three.stdout + three.stderr


def test_an_example_sampled_between_the_windows_starts_holds_under_both_readings(tmp_path: Path) -> None:
    said, prometheus = _built(tmp_path, "2m30s")
    assert said == []
    for tree in (prometheus, left_open(prometheus, tmp_path / "left-open")):
        passed = promtool_test(tree, "tests/alerts-every-2m30s.yml")
        assert passed.returncode == 0, passed.stdout + passed.stderr


SHIPPED = ("alerts.yml", "predictive.yml", "meta-monitoring-every-10m.yml", "escalation-default.yml",
           "escalation-default-alerts.yml", "escalation-default-predictive.yml", "slo-checkout-availability.yml",
           "slo-checkout-availability-absent.yml", "slo-checkout-availability-scenarios.yml")
"""Shipped rule test files promtool runs in about a second each: the definitions' own alerts, the escalation
timing, one SLO's burn-rate, absence and scenario tests (every SLO's are written alike). The others (the 7-day
and 4-minute histories, the 30-minute scenarios) passed too, by hand: 34 files of 34, in 80 s."""


def test_shipped_rule_tests_hold_as_prometheus_3_reads_ranges(tmp_path: Path) -> None:
    prometheus = left_open(Path(__file__).resolve().parents[2] / "out/prometheus", tmp_path / "left-open")
    assert all((prometheus / "tests" / name).exists() for name in SHIPPED)
    run = subprocess.run(["promtool", "test", "rules", *(f"tests/{name}" for name in SHIPPED)], cwd=prometheus,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("SUCCESS") == len(SHIPPED)
