"""Tests that start real servers and then wait to be killed: test_servers_die_with_pytest runs one in a pytest of
its own (`-o python_functions=hold_*`: a normal run collects nothing here) and kills that pytest.

Each writes $HELD (JSON) once its servers are up: the pid running the test and each server's pid and port; and,
once its own teardown has stopped them, $HELD.finalized.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from generator.live.supervisor import Supervisor
from tests import servers
from tests.e2e.conftest import own_stack


def _hold(started: dict[str, tuple[int, int]]) -> None:
    """Publish what runs, then wait (10 min) for the signal."""
    held = Path(os.environ["HELD"])
    staging = held.with_suffix(".tmp")
    staging.write_text(json.dumps({"test": os.getpid(), "servers": started}))
    staging.replace(held)  # whole or absent: the killing test polls for it
    time.sleep(600)


@contextmanager
def _finalized() -> Iterator[None]:
    """Write $HELD.finalized once the block has been left, by a signal's KeyboardInterrupt too."""
    try:
        yield
    finally:
        Path(os.environ["HELD"]).with_suffix(".finalized").write_text("torn down")


def hold_prometheus(tmp_path: Path) -> None:
    """A Prometheus started as every test starts one (tests/servers.py), a child of pytest."""
    config = tmp_path / "prometheus.yml"
    config.write_text("global: {scrape_interval: 15s}\n")
    with _finalized(), servers.prometheus(config, tmp_path) as server:
        _hold({"prometheus": (server.process.pid, int(urlsplit(server.url).port or 0))})


def hold_stack(tmp_path: Path) -> None:
    """A whole live stack (generator.live.stack.up), each component detached in a session of its own."""
    with _finalized(), own_stack(tmp_path / "live"):
        processes = Supervisor.load(tmp_path / "live").processes
        _hold({p.name: (p.pid, int(urlsplit(p.url).port or 0)) for p in processes})


def hold_postgres() -> None:
    """A PostgreSQL server, which pg_ctl detaches (pytest is not its parent), run by another user when root."""
    with _finalized(), servers.postgres() as cluster:
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        _hold({"postgres": (postmaster, cluster.port)})
