"""A promtool run that does not finish in time fails with what it was, and the other runs still report: on a
machine at load 14-17 one week-long rule test passed TIMEOUT_S, and `obsgen check` ended in a traceback
(subprocess.TimeoutExpired) instead of its report.

The slow run is a promtool on PATH that sleeps (exec, so the kill stops it) for one file and is Debian's promtool
for every other: a sleep takes no CPU, and a real rule test slow enough would burn a core until stopped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.checks import tools

RULES = """groups:
- name: r
  rules:
  - record: job:up:sum
    expr: sum by (job) (up)
"""
TEST = """rule_files: [../rules/r.yml]
evaluation_interval: 1m
tests:
- interval: 1m
  input_series:
  - series: up{job="a"}
    values: 1x5
  promql_expr_test:
  - expr: job:up:sum
    eval_time: 5m
    exp_samples:
    - labels: job:up:sum{job="a"}
      value: 1
"""


def test_a_rule_test_that_does_not_finish_fails_with_its_command_and_the_others_still_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    promtool = shutil.which("promtool")
    assert promtool is not None
    out = tmp_path / "out"
    (out / "prometheus/rules").mkdir(parents=True)
    (out / "prometheus/tests").mkdir()
    (out / "prometheus/rules/r.yml").write_text(RULES)
    for name in ("a-fast.yml", "slow.yml", "z-fast.yml"):
        (out / "prometheus/tests" / name).write_text(TEST)
    shim = tmp_path / "bin/promtool"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\ncase "$*" in *slow.yml*) echo loading; exec sleep 600;; esac\nexec {promtool} "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}:{os.environ['PATH']}")
    monkeypatch.setattr(tools, "TIMEOUT_S", 5.0)

    results = tools.run_all(out, select=lambda command: command.name.startswith(tools.RULE_TESTS))

    assert [(result.name, result.ok) for result in results] == [
        ("promtool test rules a-fast.yml", True), ("promtool test rules slow.yml", False),
        ("promtool test rules z-fast.yml", True)], results
    assert results[1].output == (f"`promtool test rules prometheus/tests/slow.yml` (in {out}) did not finish in 5 s "
                                 "and was stopped: on a busy machine run it again alone; it had printed:\nloading")
