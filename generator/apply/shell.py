"""The user's copy commands (--*-pull, --*-push): run in a session of their own, and stopped whole when they hang.

A hung ssh or rsync (a host down, a prompt for a host key or a password) would otherwise hold apply for the whole
limit, end in a traceback, and leave its children running: `sh -c` passes the signal to no one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

COMMAND_TIMEOUT = 120.0
"""Seconds a copy command may take: an rsync of a configuration directory takes a few, an ssh connection that
gets nowhere gives up after its own ConnectTimeout (or never, waiting on a prompt)."""


class CommandTimeout(Exception):
    """The command did not finish in time; it and everything it started were killed."""


def run(line: str, timeout: float) -> tuple[int, str]:
    """Run a shell command line (stdin closed, no terminal to prompt on); its exit status and output (stdout and
    stderr together). On the timeout, or anything else that stops the wait (Ctrl-C), its whole process group is
    killed; CommandTimeout for the timeout."""
    with subprocess.Popen(["sh", "-c", line], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except BaseException as error:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            if isinstance(error, subprocess.TimeoutExpired):
                raise CommandTimeout(f"`{line}` did not finish in {timeout:g} s: stopped, with every process it "
                                     "started") from None
            raise
    return process.returncode, output
