"""What one pytest run makes once for all its xdist workers: the first worker that needs it makes it, the others
wait for it on a file lock and then use it."""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest


def run_dir(tmp_path_factory: pytest.TempPathFactory, config: pytest.Config) -> Path:
    """The temporary directory the whole run shares: an xdist worker's basetemp is a directory of the run's own
    (pytest-N/popen-gw0), a run without workers has only its basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def made_once(made: Path, make: Callable[[Path], object]) -> Path:
    """`made`, unless an earlier caller made it: `make(work)` writes it as work/"made" in a temporary directory
    beside it, renamed to `made` only once complete, so a worker killed while making it leaves nothing the others
    trust. Callers wait for each other on a lock file beside it, which the kernel releases if its holder dies."""
    with (made.parent / (made.name + ".lock")).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.is_dir():
            with tempfile.TemporaryDirectory(prefix=made.name + ".making-", dir=made.parent) as work:
                make(Path(work))
                (Path(work) / "made").rename(made)
    return made
