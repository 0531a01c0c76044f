"""The demo history made once per pytest run (tests/run_shared.py): the xdist workers that start the demo
Prometheus share one set of blocks instead of each generating and importing 8 days of it (20-30 CPU-seconds)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.build import load
from generator.live import demo_blocks
from generator.live.demo_prometheus import prometheus_on_blocks
from tests.conftest import DEFINITIONS, DEMO_NOW, ROOT
from tests.run_shared import made_once

HOURS = 6
"""The history's last 6 hours (4 promtool imports: the 2 h blocks ending at DEMO_NOW, and DEMO_NOW's own) stand
for its 8 days: the same steps at a test's cost."""


def _worker(made: str) -> None:
    """What one xdist worker's demo_prometheus fixture does to get the blocks, run in a process of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo_blocks, "timestamps", lambda now: list(range(now - HOURS * 3600, now + 1, 15)))
        project = load(DEFINITIONS)
        print(made_once(Path(made), lambda work: demo_blocks.write_blocks({"up"}, project, DEMO_NOW, work / "made",
                                                                           work)))


def _counting_promtool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A promtool on PATH that logs each block import, then runs the real one; returns the log."""
    real, log, shims = shutil.which("promtool"), tmp_path / "imports.log", tmp_path / "bin"
    shims.mkdir()
    (shims / "promtool").write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    (shims / "promtool").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    return log


def _files(directory: Path) -> dict[str, tuple[int, int]]:
    return {path.relative_to(directory).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in directory.rglob("*") if path.is_file()}


def _answer(url: str) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {"query": "up", "start": DEMO_NOW - HOURS * 3600, "end": DEMO_NOW, "step": 600}
    response = requests.get(url + "/api/v1/query_range", timeout=30, params=params)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


def test_two_workers_make_the_history_once_and_their_prometheus_answer_alike(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    imports = _counting_promtool(tmp_path, monkeypatch)
    made = tmp_path / "demo-blocks"
    workers = [subprocess.Popen([sys.executable, "-c", f"from tests.live.test_demo_shared import _worker; "
                                 f"_worker({str(made)!r})"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    said = [worker.communicate(timeout=120)[0].strip() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    assert said == [str(made)] * 2
    assert len(imports.read_text().splitlines()) == 4  # one worker's imports: the other used its blocks
    before = _files(made)
    with prometheus_on_blocks(made) as first, prometheus_on_blocks(made) as second:
        answered = _answer(first)
        assert answered and answered == _answer(second)
        assert len(answered[0]["values"]) == HOURS * 6 + 1  # every 10-minute step of the history holds a sample
    assert _files(made) == before  # neither Prometheus changed the blocks the next worker links to
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bin", "demo-blocks", "demo-blocks.lock",
                                                                "imports.log"]


def test_a_worker_killed_while_making_the_history_leaves_nothing_the_next_one_trusts(tmp_path: Path) -> None:
    made, started = tmp_path / "demo-blocks", tmp_path / "started"
    killed = subprocess.Popen([sys.executable, "-c", "import pathlib, sys, time\n"
                               "from tests.run_shared import made_once\n"
                               "def half_make(work):\n"
                               "    (work / 'made').mkdir(); (work / 'made' / 'half').touch()\n"
                               "    pathlib.Path(sys.argv[2]).touch(); time.sleep(120)\n"
                               "made_once(pathlib.Path(sys.argv[1]), half_make)\n", str(made), str(started)],
                              cwd=ROOT)
    deadline = time.monotonic() + 60
    while not started.exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists()
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    assert not made.exists()  # its half-made blocks sit under a temporary name

    def make(work: Path) -> None:
        (work / "made").mkdir()
        (work / "made" / "whole").touch()

    assert made_once(made, make) == made
    assert [path.name for path in made.iterdir()] == ["whole"]
