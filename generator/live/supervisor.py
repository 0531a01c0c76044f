"""Starts the stack's processes detached, remembers exactly which ones in a state file, and stops exactly those.

A process is recognised by its pid and its start time (from /proc), so a pid reused by an unrelated
process after a reboot or a crash is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from generator.core.bounded_http import json_answer
from generator.core.http_deadline import deadline_for, fetch
from generator.core.process_log import log_tail, text_search
from generator.core.untrusted import FileError, read_json_file

STATE_FILE = "state.json"
MAX_STATE_BYTES = 2**20
"""Largest state file read: one of a running stack of three Alertmanagers is 6 KiB."""


PORT_TAKEN = re.compile(r"address already in use", re.IGNORECASE)
"""What a server logs when its port is taken: Go's "bind: address already in use", Python's "[Errno 98] Address
already in use"."""


class StartError(RuntimeError):
    """A component did not start or did not become ready."""

    def __init__(self, message: str, port_taken: bool = False) -> None:
        super().__init__(message)
        self.port_taken = port_taken
        """Whether it exited because a port it was told to listen on was taken."""


@dataclass(frozen=True)
class Process:
    """One started component, as recorded in the state file."""

    name: str
    pid: int
    started: int
    """Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22)."""
    argv: list[str]
    log: str
    url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    """Variables added to the environment it was started with (started again with the same)."""


@dataclass(frozen=True)
class Starting:
    """A process started and recorded (Supervisor.begin), not yet known to be ready."""

    process: Process
    exit_status: Callable[[], int | None]
    """Its exit status once it has exited (Popen.poll), None while it runs."""
    ready: Callable[[], bool]
    timeout: float
    deadline: float

    def wait(self, abandon: threading.Event | None = None) -> Process:
        """Wait until it is ready; StartError with the end of its log if it exits first or its deadline passes, or
        at once once `abandon` is set (from another thread)."""
        while not self.ready():
            if abandon is not None and abandon.is_set():
                raise StartError(f"{self.process.name}: no longer waited for")
            if (status := self.exit_status()) is not None or time.monotonic() > self.deadline:
                exited = status is not None
                why = f"exited with {status}" if exited else f"not ready in {self.timeout}s"
                log = Path(self.process.log)
                tail = log_tail(log)
                raise StartError(f"{self.process.name} {why}; last lines of {log}:\n{tail}",
                                 port_taken=exited and PORT_TAKEN.search(tail) is not None)
            time.sleep(0.1)
        return self.process


class StateError(RuntimeError):
    """The state file exists but cannot be read as this obsgen writes it."""


_FIELDS = frozenset(Process.__dataclass_fields__)


def _process(entry: dict[str, Any]) -> Process:
    """A recorded process; fields a later obsgen added are ignored (its pid and start time are what matter)."""
    process = Process(**{key: value for key, value in entry.items() if key in _FIELDS})
    if not isinstance(process.pid, int) or not isinstance(process.started, int):
        raise TypeError(f"process {process.name!r} has no integer pid and start time")
    return process


STOPPING_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)
GATE = ["sh", "-c", 'read -r go && exec "$@" </dev/null', "obsgen-gate"]
"""Every component starts behind this: a shell waiting for a line on its stdin, then replaced by the component
(same pid, same start time). The line is written once the state file records the pid; if obsgen dies before
(even SIGKILL), the pipe closes, `read` fails, and nothing runs that no state file names."""


@contextmanager
def interrupted_by_signals() -> Iterator[None]:
    """Inside, SIGHUP (the terminal closed) and SIGTERM raise KeyboardInterrupt as Ctrl-C does, so the caller's
    cleanup stops what it started; Python's default would end at once, leaving every detached child running.
    After the first, all three are ignored until the block ends: the cleanup is not cut short by a second."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        for number in STOPPING_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    previous = {number: signal.signal(number, interrupt) for number in STOPPING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time) of a pid, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[19])


def alive(process: Process) -> bool:
    """Whether the recorded process still runs (a zombie or a reused pid does not count)."""
    stat = _stat(process.pid)
    return stat is not None and stat[0] != "Z" and stat[1] == process.started


def http_ready(url: str) -> Callable[[], bool]:
    """Readiness probe: the URL answers 200."""
    def probe() -> bool:
        try:
            # the status only, the body is not read; the headers within deadline_for(1 s), 2 s
            with fetch("GET", url, deadline_for(1.0), 0, timeout=1.0, stream=True) as response:
                return response.status_code == 200
        except requests.RequestException:
            return False
    return probe


RULES_BYTES = 16 * 2**20  # /api/v1/rules of a few hundred rules is about 0.5 MiB


def rules_evaluated_since(url: str, since: float, longest: float) -> Callable[[], bool]:
    """Readiness probe: Prometheus at url is ready and has evaluated every rule group evaluated at most every
    `longest` seconds at `since` (Unix seconds) or later (`up` gives the moment it started Prometheus: each such
    group evaluated once). A group evaluated less often is not waited for (an aggregation group, every minute or
    five: its first evaluation may come a whole interval after the start)."""
    ready = http_ready(url + "/-/ready")
    asked = [0.0]  # when the rules were last asked for: once a second (the answer is ~0.5 MiB), not every poll

    def probe() -> bool:
        if not ready() or time.monotonic() - asked[0] < 1.0:
            return False
        asked[0] = time.monotonic()
        try:
            with fetch("GET", url + "/api/v1/rules", deadline_for(1.0), RULES_BYTES, timeout=1.0) as response:
                groups = json_answer(response)["data"]["groups"]
            return all(_unix(group["lastEvaluation"]) >= since for group in groups if group["interval"] <= longest)
        except (requests.RequestException, ValueError, KeyError, TypeError):
            return False
    return probe


def _unix(rfc3339: str) -> float:
    """Prometheus' RFC 3339 time (nanoseconds, Z or an offset) as Unix seconds; 0 for what does not read as one."""
    try:
        return datetime.fromisoformat(rfc3339).timestamp()
    except (TypeError, ValueError):
        return 0.0


def smtp_ready(port: int) -> Callable[[], bool]:
    """Readiness probe: an SMTP server on 127.0.0.1:port greets with 220."""
    def probe() -> bool:
        try:
            # not HTTP, and bounded as it is: one connect and one recv, each within 1 s, of at most 64 bytes
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                return sock.recv(64).startswith(b"220")
        except OSError:
            return False
    return probe


def log_ready(log: Path, text: str) -> Callable[[], bool]:
    """Readiness probe: the process has written text to its log (each poll reads only what is new: LogSearch)."""
    search = text_search(log, text)
    return lambda: search() is not None


def _reap(pid: int) -> None:
    """Collect the exit status if the process is our own child (started in this Python process)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


KILLED_AFTER_SIGTERM = "still running after SIGTERM's grace: SIGKILL"
"""What stop() writes at the end of the log of a process it had to kill."""


def stop(process: Process, timeout: float = 10.0) -> str:
    """SIGTERM, then SIGKILL after timeout, said at the end of the process's log; returns what happened."""
    if not alive(process):
        return "already gone"
    try:
        os.kill(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return "already gone"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(process.pid)
        if not alive(process):
            return "stopped"
        time.sleep(0.05)
    if alive(process):
        with contextlib.suppress(OSError), open(process.log, "a") as log:  # why it ended (tests read it)
            log.write(f"obsgen: {KILLED_AFTER_SIGTERM} ({timeout:g} s)\n")
        os.kill(process.pid, signal.SIGKILL)
    while alive(process):
        _reap(process.pid)
        time.sleep(0.05)
    return "killed"


@dataclass
class Supervisor:
    """The processes of one stack, kept in state_dir/state.json together with whatever the stack adds."""

    state_dir: Path
    processes: list[Process] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    """Stack facts saved alongside (URLs, ports, record files)."""
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)
    """Held while `processes` changes and is saved: `up` begins a process from a thread of its own."""

    @property
    def state_file(self) -> Path:
        """Where the state is kept."""
        return self.state_dir / STATE_FILE

    @classmethod
    def load(cls, state_dir: Path) -> Supervisor:
        """The supervisor a previous `up` saved; empty when there is none; StateError when it cannot be read."""
        path = state_dir / STATE_FILE
        if not path.exists():
            return cls(state_dir)
        try:  # a state directory may be shared, edited or damaged: bounded, no key written twice
            state = read_json_file(path, MAX_STATE_BYTES)
        except FileError as error:
            raise StateError(f"{error}; if it is damaged, stop the processes it names by hand, then remove "
                             "it") from None
        try:
            return cls(state_dir, [_process(entry) for entry in state["processes"]], dict(state["info"]))
        except (ValueError, KeyError, TypeError, AttributeError) as error:  # not this obsgen's shape
            raise StateError(f"{path} is damaged or from another obsgen version ({type(error).__name__}: "
                             f"{error}); stop the processes it names by hand, then remove it") from None

    def save(self) -> None:
        """Write the state atomically."""
        with self._lock:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            staging = self.state_file.with_suffix(".tmp")
            staging.write_text(json.dumps({"processes": [asdict(p) for p in self.processes], "info": self.info},
                                          indent=2))
            staging.replace(self.state_file)

    def log(self, name: str) -> Path:
        """Where a component's output goes."""
        return self.state_dir / "logs" / f"{name}.log"

    def start(self, name: str, argv: list[str], ready: Callable[[], bool], url: str = "",
              timeout: float = 30.0, env: dict[str, str] | None = None) -> Process:
        """Start a detached process, record it, and wait until ready; StartError with its log if not."""
        return self.begin(name, argv, ready, url, timeout, env).wait()

    def begin(self, name: str, argv: list[str], ready: Callable[[], bool], url: str = "",
              timeout: float = 30.0, env: dict[str, str] | None = None) -> Starting:
        """Start a detached process and record it, without waiting: its Starting.wait() waits until it is ready
        (`timeout` seconds from now at most), so that several start at once."""
        return self._launch(Process(name, 0, 0, argv, str(self.log(name)), url, env or {}), ready, timeout)

    def restart(self, name: str, ready: Callable[[], bool], timeout: float = 30.0, down_for: float = 0.0) -> Process:
        """Stop a recorded process and start it again as it was started (argv, environment, place, log), `down_for`
        seconds after it stopped."""
        old = self.named(name)
        stop(old)
        time.sleep(down_for)
        at = self.processes.index(old)
        self.processes.remove(old)
        return self._launch(old, ready, timeout, at).wait()

    def kill(self, name: str) -> None:
        """SIGKILL a recorded process, as a crash would end it, and wait until it is gone; it stays recorded."""
        process = self.named(name)
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        while alive(process):
            _reap(process.pid)
            time.sleep(0.05)

    def stop(self, name: str) -> None:
        """Stop a recorded process and forget it (nothing when none of that name is recorded)."""
        process = next((p for p in self.processes if p.name == name), None)
        if process is not None:
            stop(process)
            with self._lock:
                self.processes.remove(process)
                self.save()

    def named(self, name: str) -> Process:
        """The recorded process of that name; KeyError if none."""
        for process in self.processes:
            if process.name == name:
                return process
        raise KeyError(f"no process named {name} in {self.state_file}")

    def _launch(self, spec: Process, ready: Callable[[], bool], timeout: float, at: int | None = None) -> Starting:
        """Start spec's argv and record it (in place `at`, for a restart, whose log goes on)."""
        log = Path(spec.log)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb" if at is None else "ab") as sink:
            popen = subprocess.Popen([*GATE, *spec.argv], stdout=sink, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE, cwd=self.state_dir, start_new_session=True,
                                     env={**os.environ, **spec.env})
        stat = _stat(popen.pid)
        process = replace(spec, pid=popen.pid, started=stat[1] if stat else 0)
        with self._lock:
            self.processes.insert(len(self.processes) if at is None else at, process)
            self.save()
        if popen.stdin is not None:  # always (stdin=PIPE): recorded, it may run now
            with contextlib.suppress(BrokenPipeError), popen.stdin as gate:  # a gate gone is reported below
                gate.write(b"go\n")
        return Starting(process, popen.poll, ready, timeout, time.monotonic() + timeout)

    def running(self) -> list[Process]:
        """Recorded processes that still run."""
        return [p for p in self.processes if alive(p)]

    def stop_all(self) -> list[tuple[Process, str]]:
        """Stop every recorded process, last started first, and forget them."""
        outcomes = [(process, stop(process)) for process in reversed(self.processes)]
        self.processes = []
        self.info = {}
        if self.state_file.exists():
            self.state_file.unlink()
        return outcomes
