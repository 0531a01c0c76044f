"""Stops what a pytest process left running once it is gone, however it ended (SIGKILL included).

    python tests/reaper.py OWNER_PID TOKEN

tests/teardown.py starts one per pytest process (the xdist controller and each worker), in a session of its own so
that a Ctrl-C or a kill of pytest's process group does not reach it, and adds TOKEN to OBSGEN_TEST_OWNERS in
pytest's environment before any test runs. Every process a test starts inherits that variable, whoever starts it
and however far down: servers, `obsgen up`'s detached stack (each component in a session of its own), the
PostgreSQL server pg_ctl detaches, chromium's helpers. This waits for OWNER_PID to exit, then stops every process
whose environment names TOKEN: SIGTERM, SIGKILL after GRACE seconds. (Jenkins' ProcessTreeKiller finds a build's
processes the same way, by an environment variable they inherit, since a parent's death erases the process tree.)

Only the standard library: it runs from its file, not from the tests package, and depends on nothing of pytest's.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from pathlib import Path

VARIABLE = "OBSGEN_TEST_OWNERS"
"""Tokens of the pytest processes a process descends from, colon-separated (a worker's children carry the
controller's token and their worker's)."""
GRACE = 5.0
"""Seconds between SIGTERM and SIGKILL: Prometheus flushes its head block and Alertmanager its silences in less."""
ROUNDS = 3
"""Scans after the first signals: what a dying process started meanwhile (a backend forked by postgres) is found
again and killed."""


def owners(environ: bytes) -> list[str]:
    """The tokens of OBSGEN_TEST_OWNERS in a /proc/<pid>/environ (NUL-separated), [] when it has none."""
    prefix = VARIABLE.encode() + b"="
    for entry in environ.split(b"\0"):
        if entry.startswith(prefix):
            return entry[len(prefix):].decode(errors="replace").split(":")
    return []


def wait_for_exit(pid: int) -> None:
    """Return once `pid` has exited (at once if it already has)."""
    try:
        watched = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        select.select([watched], [], [])  # a pidfd becomes readable when its process exits
    finally:
        os.close(watched)


def descendants(token: str) -> dict[int, int]:
    """pidfd of every live process whose environment carries `token`, by pid. The pidfd is opened before the
    environment is read, so a pid reused after the check cannot be signalled (signal.pidfd_send_signal)."""
    found: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            handle = os.pidfd_open(int(entry))
        except OSError:  # gone since the listing
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()  # a zombie's is empty
        except OSError:  # gone, or another user's process this one may not read: not started by the tests
            environ = b""
        if token in owners(environ):
            found[int(entry)] = handle
        else:
            os.close(handle)
    return found


def command(pid: int) -> str:
    """The command line of pid, for the report (may be empty once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def stop(found: dict[int, int], number: int, grace: float) -> None:
    """Send `number` to each process, then wait up to `grace` seconds until they have all exited."""
    for handle in found.values():
        with contextlib.suppress(ProcessLookupError):  # exited since it was found
            signal.pidfd_send_signal(handle, number)
    deadline = time.monotonic() + grace
    waiting = set(found.values())
    while waiting and (left := deadline - time.monotonic()) > 0:
        exited, _, _ = select.select(list(waiting), [], [], left)
        waiting -= set(exited)


def reap(token: str, grace: float = GRACE) -> list[str]:
    """Stop every process carrying `token`; what was found, one "pid command" line each."""
    stopped: dict[int, str] = {}
    for round_ in range(ROUNDS):
        found = descendants(token)
        if not found:
            break
        stopped |= {pid: stopped.get(pid) or f"{pid} {command(pid)}" for pid in found}
        try:
            stop(found, signal.SIGTERM if round_ == 0 else signal.SIGKILL, grace)
        finally:
            for handle in found.values():
                os.close(handle)
    return list(stopped.values())


def main(owner: int, token: str) -> None:
    wait_for_exit(owner)
    stopped = reap(token)
    if stopped:  # a test left them running, or pytest was killed before its fixtures could stop them
        print(f"tests/reaper.py: pytest (pid {owner}) left {len(stopped)} process(es) running; stopped:",
              *(f"  {line}" for line in stopped), sep="\n", file=sys.stderr)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
