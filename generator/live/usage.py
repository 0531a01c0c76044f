"""Memory and CPU of a running process, read from /proc: what the soak bench plots for each component."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """A process at one moment."""

    rss_bytes: int
    cpu_seconds: float
    """User plus system CPU time since it started."""


def usage(pid: int) -> Usage | None:
    """The process's resident memory and CPU time so far; None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    rss_kib = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    fields = stat[stat.rindex(")") + 2:].split()
    return Usage(rss_kib * 1024, (int(fields[11]) + int(fields[12])) / TICKS)
