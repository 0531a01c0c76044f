"""A pytest terminated (a CI timeout, a user's kill), hung up or killed outright leaves no server running: not one
started through tests/servers.py, not a live stack (`obsgen up`'s components are detached on purpose), not a
PostgreSQL server (pg_ctl detaches it). A killed CI once left a whole stack running beside the next one.

Each case runs one test of tests/e2e/killed_session.py in a pytest of its own, waits until its servers are up, sends
the signal to that pytest (or to its xdist worker), and requires every server gone and its port free within a few
seconds. Terminated or hung up, pytest tears the test down itself ($HELD.finalized) and exits as interrupted (2).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.reaper import GRACE

ROOT = Path(__file__).resolve().parents[2]
STOPPED_WITHIN = GRACE + 5.0
"""Seconds the servers get to be gone: a reaper's SIGTERM, its SIGKILL GRACE seconds later, and some slack."""


def _start_time(pid: int) -> int | None:
    """Start time of a live process (/proc/<pid>/stat field 22), None when it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return None if fields[0] in "ZX" else int(fields[19])


def _listened(port: int) -> bool:
    """Whether a process listens on 127.0.0.1:port (a socket in TIME_WAIT does not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _left_running(servers: dict[str, tuple[int, int, int | None]]) -> dict[str, str]:
    """What still runs of the servers (name: pid, start time, port): each by pid and by port."""
    left = {}
    for name, (pid, port, started) in servers.items():
        if _start_time(pid) == started:
            left[name] = f"pid {pid} runs"
        elif port and _listened(port):
            left[name] = f"port {port} is listened on"
    return left


def _held(tmp_path: Path, hold: str, workers: str) -> tuple[subprocess.Popen[bytes], dict[str, Any], Path]:
    """A pytest running killed_session.hold_<hold>, once its servers are up: the process, what the test published
    (its pid, its servers' pids and ports), and the pytest's output."""
    held = tmp_path / "held.json"
    output = tmp_path / "pytest.out"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "python_functions=hold_*",
            "-o", "addopts=", "-n", workers, f"--basetemp={tmp_path / 'inner'}",
            f"tests/e2e/killed_session.py::hold_{hold}"]
    with output.open("wb") as sink:  # a file: the reaper, outliving pytest, would hold a pipe's end open
        inner = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "HELD": str(held)}, stdout=sink,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not held.exists():
        if inner.poll() is not None or time.monotonic() > deadline:
            inner.kill()
            pytest.fail(f"the held test never started its servers:\n{output.read_text()[-3000:]}")
        time.sleep(0.05)
    return inner, json.loads(held.read_text()), output


@pytest.mark.parametrize(("hold", "workers", "number", "target"), [
    ("prometheus", "0", signal.SIGTERM, "pytest"),
    ("prometheus", "0", signal.SIGHUP, "pytest"),
    ("prometheus", "0", signal.SIGKILL, "pytest"),
    ("prometheus", "1", signal.SIGTERM, "pytest"),
    ("prometheus", "1", signal.SIGTERM, "worker"),
    ("prometheus", "1", signal.SIGKILL, "worker"),
    ("postgres", "0", signal.SIGKILL, "pytest"),
    ("stack", "0", signal.SIGTERM, "pytest"),
], ids=lambda value: getattr(value, "name", None) or (f"n{value}" if value in ("0", "1") else str(value)))
def test_a_signalled_pytest_leaves_no_server_running(tmp_path: Path, hold: str, workers: str, number: int,
                                                     target: str) -> None:
    inner, held, output = _held(tmp_path, hold, workers)
    started = {name: (pid, port, _start_time(pid)) for name, (pid, port) in held["servers"].items()}
    try:
        assert all(start is not None for _, _, start in started.values()), started
        os.kill(inner.pid if target == "pytest" else held["test"], number)
        deadline = time.monotonic() + STOPPED_WITHIN
        while (left := _left_running(started)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == {}, output.read_text()[-3000:]
        if number != signal.SIGKILL:  # not only gone: stopped by the test's own teardown, in time
            assert inner.wait(timeout=30) == pytest.ExitCode.INTERRUPTED or target == "worker", output.read_text()
            assert tmp_path.joinpath("held.finalized").exists(), "the test's own teardown did not run"
    finally:
        if inner.poll() is None:
            os.killpg(inner.pid, signal.SIGKILL)
            inner.wait()
        for pid, _, start in started.values():  # what the test found left over, by pid
            if start is not None and _start_time(pid) == start:
                os.kill(pid, signal.SIGKILL)
