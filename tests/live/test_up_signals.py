"""`obsgen up` hung up (its terminal closed), terminated or killed while it backfills: nothing it started outlives
it and `down`, the helper Prometheus of the backfill included. (SIGTERM takes SIGHUP's path.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.live.supervisor import KILLED_AFTER_SIGTERM

ROOT = Path(__file__).resolve().parents[2]
OBSGEN = [sys.executable, "-m", "generator"]


def _running_from(state_dir: Path) -> dict[int, str]:
    """Processes whose command line names the state directory (every component of the stack does)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and str(state_dir) in argv and state != "Z":
            found[int(entry.name)] = argv
    return found


def _nothing_left(state_dir: Path) -> dict[int, str]:
    """What still runs from the state directory after a few seconds (a started gate exits when up is gone)."""
    deadline = time.monotonic() + 5
    while _running_from(state_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _running_from(state_dir)


def _wait_for(what: str, state_dir: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(what in argv for argv in _running_from(state_dir).values()):
        assert time.monotonic() < deadline, f"{what} never started"
        time.sleep(0.02)


@pytest.mark.parametrize("number", [signal.SIGHUP, signal.SIGKILL], ids=lambda n: n.name)
def test_a_signal_during_the_backfill_leaves_nothing_running_after_down(tmp_path: Path, number: int) -> None:
    state_dir = tmp_path / "live"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    up = subprocess.Popen([*OBSGEN, "up", "--free-ports", "--state-dir", str(state_dir), "--definitions",
                           str(ROOT / "definitions")], cwd=tmp_path, env=env, start_new_session=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for("backfill-prometheus.yml", state_dir)
        up.send_signal(number)
        up.wait(timeout=60)
        if number != signal.SIGKILL:  # up itself stopped what it started, each at its SIGTERM (not 10 s later)
            stderr = up.stderr.read().decode() if up.stderr else ""
            assert _nothing_left(state_dir) == {}, stderr
            # in the order of events, not by the test machine's clock: stop() writes in the log of each process
            # it has to SIGKILL (after SIGTERM's 10 s); and up stopped in the backfill, the demo never started
            logs = state_dir / "logs"
            assert [log.name for log in logs.glob("*.log") if KILLED_AFTER_SIGTERM in log.read_text()] == []
            assert (logs / "backfill-prometheus.log").exists() and not (logs / "demo.log").exists()
            assert f"stopped by {signal.Signals(number).name}; everything it had started is stopped" in stderr
            assert up.returncode == 130
        subprocess.run([*OBSGEN, "down", "--state-dir", str(state_dir)], cwd=tmp_path, env=env, timeout=60,
                       check=True, capture_output=True)
        assert _nothing_left(state_dir) == {}
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        for pid in _running_from(state_dir):  # what the test found left over, by pid
            os.kill(pid, signal.SIGKILL)
