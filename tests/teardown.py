"""Every server a test starts dies with the pytest process that started it, however that process ends.

Two layers, installed by conftest's pytest_configure in the xdist controller and in each worker:
- SIGTERM and SIGHUP (a CI timeout, a user's kill, a closed terminal) raise KeyboardInterrupt, as Ctrl-C does, so
  pytest unwinds the running test and tears its fixtures down: servers get their SIGTERM, temporary directories
  go. Python's default for both ends the process at once, finalizers unrun, servers left running.
- A reaper process (tests/reaper.py) for when pytest cannot unwind (SIGKILL, a second signal cutting the
  teardown short, a worker the controller kills): it outlives pytest, then stops whatever carries pytest's
  token in its environment.
Linux's PR_SET_PDEATHSIG would not do for the second: it reaches only a direct child, fires when the *thread*
that forked exits (prctl(2)), and is cleared by runuser's change of user; `obsgen up`'s components are detached
on purpose, and pg_ctl's postgres is not pytest's child at all.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

import pytest

from tests.reaper import VARIABLE

REAPER = Path(__file__).with_name("reaper.py")
STOPPING = (signal.SIGTERM, signal.SIGHUP)


def _ignore(signum: int, frame: FrameType | None) -> None:
    """A second signal while the first one's teardown runs: that teardown is not cut short (a handler rather than
    SIG_IGN, which processes started during the teardown would inherit)."""


def _children() -> list[int]:
    """Pids of this process's children (/proc/<pid>/stat's fourth field is the parent's pid)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:  # gone since the listing
            continue
        if stat and int(stat[stat.rindex(")") + 2:].split()[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def _interrupt(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _owner:  # a child forked by a test (multiprocessing) inherited this: end as the signal says
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    for number in STOPPING:
        signal.signal(number, _ignore)
    if _config is not None and _config.pluginmanager.has_plugin("dsession"):
        # the xdist controller, which runs no test: its children are its workers (and the reaper). Told, they tear
        # their tests down; untold, xdist would wait 10 s for them (EXIT_TIMEOUT), then SIGKILL them.
        for child in _children():
            if _reaper is None or child != _reaper.pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signum)
    raise KeyboardInterrupt(f"pytest stopped by {signal.Signals(signum).name}")


_owner = 0
"""The pytest process that installed the handlers (0 until then)."""
_config: pytest.Config | None = None
"""Its configuration, which tells an xdist controller from the process running the tests."""
_reaper: subprocess.Popen[bytes] | None = None
"""Kept, so that it is not collected as garbage (and warned about) while it runs."""


def die_with_pytest(config: pytest.Config) -> None:
    """Install both layers in this pytest process (once)."""
    global _owner, _config, _reaper
    if _owner == os.getpid():
        return
    _owner, _config = os.getpid(), config
    token = f"{_owner}-{secrets.token_hex(4)}"
    inherited = os.environ.get(VARIABLE)
    reaper_env = {key: value for key, value in os.environ.items() if key != VARIABLE}  # not one of its own prey
    _reaper = subprocess.Popen([sys.executable, str(REAPER), str(_owner), token], env=reaper_env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
    os.environ[VARIABLE] = f"{inherited}:{token}" if inherited else token
    for number in STOPPING:
        signal.signal(number, _interrupt)
