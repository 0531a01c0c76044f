"""No two rule groups share a promtool test file: a group's tests at another interval than the evaluation interval go
to <group>-every-<interval>.yml, so a group named alerts-every-4m beside a group alerts with 4m examples has its own
file spelled too (alerts-every-4m-every-1m.yml) rather than one group's tests overwriting the other's. Through
`obsgen build` on a temporary project; promtool runs both files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

BASE = Path(__file__).resolve().parents[1] / "checks" / "base"

CASE = '''from generator.model import Alert, Example
from ._alert import VALID
SLOWLY = Alert(**VALID | {"name": "LoadHighSlowly", "examples": (Example(
    name="sampled every 4m", series={'node_load1{instance="a"}': "5x10"}, at="20m", fires=True,
    labels={"instance": "a"}, interval="4m"),)})
ODDLY = Alert(**VALID | {"name": "LoadHighOddly", "group": "alerts-every-4m"})
'''
"""Group alerts with a 4m example, and a group named as its 4m test file would be, with a 1m example."""


def _tests(path: Path) -> list[str]:
    return [str(test["name"]) for test in yaml.safe_load(path.read_text())["tests"]]


def test_a_group_named_as_another_groups_test_file_keeps_its_own(tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path / "definitions", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "definitions" / "case.py").write_text(CASE)
    done = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    tests = tmp_path / "out" / "prometheus" / "tests"
    assert _tests(tests / "alerts-every-4m.yml") == ["LoadHighSlowly: sampled every 4m"]
    assert _tests(tests / "alerts-every-4m-every-1m.yml") == ["LoadHighOddly: fires"]
    assert yaml.safe_load((tests / "alerts-every-4m-every-1m.yml").read_text())["rule_files"] == [
        "../rules/alerts-every-4m.yml"]
    for name in ("alerts-every-4m.yml", "alerts-every-4m-every-1m.yml"):
        ran = subprocess.run(["promtool", "test", "rules", name], cwd=tests, capture_output=True, text=True,
                             timeout=60)
        assert ran.returncode == 0, ran.stdout + ran.stderr
