"""The supervisor starts detached processes, records them, and stops exactly those."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from generator.core.process_log import LOG_CHUNK
from generator.live.supervisor import KILLED_AFTER_SIGTERM, StartError, Supervisor, alive, log_ready, stop

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
BIG_LOG = 32 * 2**20
"""A log as a server that logs a lot (or a long soak) leaves it; sparse, so the disk holds none of it."""
BOUNDED_MEMORY = 2**20


def _bytes_read() -> int:
    """Bytes this thread has read with read() so far (the kernel's count)."""
    fields = dict(line.split(": ") for line in Path("/proc/thread-self/io").read_text().splitlines())
    return int(fields["rchar"])


def test_started_processes_are_recorded_and_stopped(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    process = supervisor.start("sleeper", SLEEPER, ready=lambda: True)
    recorded = Supervisor.load(tmp_path).processes
    assert [(p.name, p.pid) for p in recorded] == [("sleeper", process.pid)] and alive(process)
    outcomes = Supervisor.load(tmp_path).stop_all()
    assert [outcome for _, outcome in outcomes] == ["stopped"]
    assert not alive(process) and not (tmp_path / "state.json").exists()


def test_a_process_that_outlives_its_sigterm_is_killed_and_its_log_says_so(tmp_path: Path) -> None:
    """What ended a process is in its log, so a test asserts that each stopped at its SIGTERM by reading the logs
    (tests/live/test_up_signals.py), not by timing the stop on the test machine's clock."""
    supervisor = Supervisor(tmp_path)
    deaf = "import signal as s, time; s.signal(s.SIGTERM, s.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    stubborn = supervisor.start("stubborn", [sys.executable, "-c", deaf],
                                ready=log_ready(supervisor.log("stubborn"), "ready"))
    polite = supervisor.start("polite", SLEEPER, ready=lambda: True)
    assert [stop(stubborn, timeout=0.2), stop(polite)] == ["killed", "stopped"]
    assert supervisor.log("stubborn").read_text().endswith(f"obsgen: {KILLED_AFTER_SIGTERM} (0.2 s)\n")
    assert KILLED_AFTER_SIGTERM not in supervisor.log("polite").read_text()


def test_a_reused_pid_is_not_taken_for_ours(tmp_path: Path) -> None:
    process = Supervisor(tmp_path).start("sleeper", SLEEPER, ready=lambda: True)
    impostor = dataclasses.replace(process, started=process.started + 1)
    try:
        assert not alive(impostor)
        assert Supervisor(tmp_path, [impostor]).stop_all()[0][1] == "already gone"
        assert alive(process)
    finally:  # by its record: the impostor's stop_all removed the state file, so a load() finds no process
        outcome = stop(process)
    assert outcome == "stopped"


def test_a_process_that_dies_at_start_reports_its_log(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    with pytest.raises(StartError, match=r"(?s)exited with 3.*bad config"):
        supervisor.start("broken", [sys.executable, "-c", "print('bad config'); raise SystemExit(3)"],
                         ready=lambda: False)
    assert supervisor.stop_all()[0][1] == "already gone"


def test_processes_begun_together_are_recorded_at_once_and_a_failed_one_is_named_when_waited_for(
        tmp_path: Path) -> None:
    """`up` begins several components, then waits for each in the order begun (generator/live/stack.py)."""
    supervisor = Supervisor(tmp_path)
    sleeper = supervisor.begin("sleeper", SLEEPER, ready=lambda: True)
    broken = supervisor.begin("broken", [sys.executable, "-c", "print('bad config'); raise SystemExit(3)"],
                              ready=lambda: False)
    try:
        assert [p.name for p in Supervisor.load(tmp_path).processes] == ["sleeper", "broken"]
        assert sleeper.wait() == sleeper.process and alive(sleeper.process)
        with pytest.raises(StartError, match=r"(?s)^broken exited with 3.*bad config"):
            broken.wait()
    finally:
        outcomes = supervisor.stop_all()
    assert [(process.name, outcome) for process, outcome in outcomes] == [("broken", "already gone"),
                                                                         ("sleeper", "stopped")]


def test_a_wait_abandoned_from_another_thread_ends_without_waiting_for_the_deadline(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    never = supervisor.begin("never", SLEEPER, ready=lambda: False, timeout=600)
    abandon = threading.Event()
    abandon.set()
    try:
        with pytest.raises(StartError, match=r"^never: no longer waited for$"):
            never.wait(abandon)
    finally:
        assert [outcome for _, outcome in supervisor.stop_all()] == ["stopped"]


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


def test_the_readiness_probe_reads_a_big_log_once_and_then_only_what_is_new(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_bytes(b"")
    os.truncate(log, BIG_LOG)
    probe = log_ready(log, "ready to serve")
    tracemalloc.start()
    try:
        before = _bytes_read()
        assert not any(probe() for _ in range(20))
        with log.open("ab") as file:  # written across two of the probe's reads
            file.write(b"x" * (LOG_CHUNK - 5) + b"ready to serve\n")
        assert probe()
        read, peak = _bytes_read() - before, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read < BIG_LOG + 4 * LOG_CHUNK, f"21 polls read {read / 2**20:.0f} MiB of a {BIG_LOG / 2**20:.0f} MiB log"
    assert peak < BOUNDED_MEMORY, f"polling took {peak / 2**20:.1f} MiB"


def test_a_failed_start_reports_only_the_end_of_a_big_log(tmp_path: Path) -> None:
    noisy = [sys.executable, "-c", f"import os; os.ftruncate(1, {BIG_LOG}); os.lseek(1, 0, os.SEEK_END); "
             "print('noise\\nbad config'); raise SystemExit(3)"]
    supervisor = Supervisor(tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(StartError) as raised:
            supervisor.start("noisy", noisy, ready=lambda: False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < BOUNDED_MEMORY, f"reporting the failed start took {peak / 2**20:.1f} MiB"
    # the last 4 KiB start inside the line of 32 MiB of NULs ending in "noise": from the next line
    assert str(raised.value) == f"noisy exited with 3; last lines of {supervisor.log('noisy')}:\nbad config\n"


@pytest.mark.parametrize("server", ["alertmanager", "webhook-sink", "smtp-sink"])
def test_a_server_whose_port_is_taken_fails_as_such_and_another_failure_does_not(tmp_path: Path, server: str) -> None:
    """What `obsgen up` retries on with ports chosen anew: a port chosen free and taken before its server bound it."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        argv = {"alertmanager": ["prometheus-alertmanager", f"--storage.path={tmp_path / 'am'}",
                                 "--web.listen-address=127.0.0.1:0", f"--cluster.listen-address=127.0.0.1:{port}"],
                "webhook-sink": [sys.executable, "-m", "generator.live.webhook_sink", "--port", str(port),
                                 "--record", str(tmp_path / "webhook.jsonl")],
                "smtp-sink": [sys.executable, "-m", "generator.live.smtp_sink", "--port", str(port),
                              "--record", str(tmp_path / "email.jsonl")]}[server]
        supervisor = Supervisor(tmp_path)
        with pytest.raises(StartError, match=r"(?i)address already in use") as failed:
            supervisor.start(server, argv, ready=lambda: False)
        supervisor.stop_all()
    assert failed.value.port_taken and "Traceback" not in str(failed.value)
    with pytest.raises(StartError) as other:
        supervisor.start("broken", [sys.executable, "-c", "raise SystemExit(3)"], ready=lambda: False)
    supervisor.stop_all()
    assert not other.value.port_taken
