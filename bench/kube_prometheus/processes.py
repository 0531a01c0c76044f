"""Fresh child processes, measured: wall seconds, their own CPU seconds and peak resident memory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Bytecode caching is what every installed Python program gets; this environment may switch it off.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Sample:
    """One fresh-process run."""

    wall: float
    cpu: float
    peak_mb: float
    stdout: str
    returncode: int = 0


def run(argv: list[str], cwd: Path = ROOT, check: bool = True) -> Sample:
    """Run a child to completion; wall time, its own CPU time and peak RSS (wait4, not all children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=CHILD_ENV, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if check and proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
        return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode(),
                      proc.returncode)


def obsgen(*args: str) -> list[str]:
    """argv of the installed obsgen console script."""
    return [str(BIN / "obsgen"), *args]
