"""The supervisor starts detached processes, records them, and stops exactly those."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import pytest

from generator.live.supervisor import StartError, Supervisor, alive

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_started_processes_are_recorded_and_stopped(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    process = supervisor.start("sleeper", SLEEPER, ready=lambda: True)
    recorded = Supervisor.load(tmp_path).processes
    assert [(p.name, p.pid) for p in recorded] == [("sleeper", process.pid)] and alive(process)
    outcomes = Supervisor.load(tmp_path).stop_all()
    assert [outcome for _, outcome in outcomes] == ["stopped"]
    assert not alive(process) and not (tmp_path / "state.json").exists()


def test_a_reused_pid_is_not_taken_for_ours(tmp_path: Path) -> None:
    process = Supervisor(tmp_path).start("sleeper", SLEEPER, ready=lambda: True)
    impostor = dataclasses.replace(process, started=process.started + 1)
    try:
        assert not alive(impostor)
        assert Supervisor(tmp_path, [impostor]).stop_all()[0][1] == "already gone"
        assert alive(process)
    finally:
        Supervisor.load(tmp_path).stop_all()


def test_a_process_that_dies_at_start_reports_its_log(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    with pytest.raises(StartError, match=r"(?s)exited with 3.*bad config"):
        supervisor.start("broken", [sys.executable, "-c", "print('bad config'); raise SystemExit(3)"],
                         ready=lambda: False)
    assert supervisor.stop_all()[0][1] == "already gone"


def test_a_restarted_process_keeps_its_place_argv_and_environment_and_is_still_stopped(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    first = supervisor.start("first", SLEEPER, ready=lambda: True, env={"OBSGEN_PROBE": "kept"})
    supervisor.start("second", SLEEPER, ready=lambda: True)
    try:
        again = Supervisor.load(tmp_path).restart("first", ready=lambda: True)
        assert not alive(first) and alive(again) and again.pid != first.pid
        environ_file = Path(f"/proc/{again.pid}/environ")
        deadline = time.monotonic() + 10
        while not environ_file.read_bytes() and time.monotonic() < deadline:  # empty until the child has exec'd
            time.sleep(0.01)
        environ = environ_file.read_bytes().split(b"\0")
        assert b"OBSGEN_PROBE=kept" in environ and again.argv == first.argv
        assert [p.name for p in Supervisor.load(tmp_path).processes] == ["first", "second"]
    finally:
        outcomes = Supervisor.load(tmp_path).stop_all()
    assert [outcome for _, outcome in outcomes] == ["stopped", "stopped"] and not alive(again)


def test_a_killed_process_stays_recorded_and_down_still_stops_the_others(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    victim = supervisor.start("victim", SLEEPER, ready=lambda: True)
    other = supervisor.start("other", SLEEPER, ready=lambda: True)
    Supervisor.load(tmp_path).kill("victim")
    assert not alive(victim) and alive(other)
    outcomes = {process.name: outcome for process, outcome in Supervisor.load(tmp_path).stop_all()}
    assert outcomes == {"victim": "already gone", "other": "stopped"}
