"""A throwaway Prometheus on a free loopback port holding the demo's 8 days of history (see demo_history)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.live.demo_blocks import write_blocks
from generator.live.ports import free_port
from generator.live.supervisor import Supervisor, http_ready
from generator.model.project import Project

RETENTION = "30d"
"""Longer than the history, so Prometheus keeps every block it is given."""


@contextmanager
def demo_prometheus(project: Project, series: set[str], now: int) -> Iterator[str]:
    """Yields the base URL of a Prometheus holding demo history of `series` up to `now`; stops it and removes
    its data when done."""
    with tempfile.TemporaryDirectory(prefix="obsgen-demo-prometheus-") as work:
        workdir = Path(work)
        write_blocks(series, project, now, workdir / "data", workdir)
        with _serving(workdir / "data", workdir) as url:
            yield url


@contextmanager
def prometheus_on_blocks(blocks: Path) -> Iterator[str]:
    """Yields the base URL of a Prometheus holding the TSDB blocks in `blocks` (write_blocks' data directory), which
    any number of them may share: each runs on its own data directory of hard links to the blocks' files, made
    beside them (a hard link cannot cross filesystems). Prometheus never writes into a block's files: it replaces
    meta.json and tombstones by renaming a new file over them, and compaction and retention write new block
    directories and remove whole old ones (prometheus/tsdb block.go: writeMetaFile, tombstones.WriteFile, and its
    own Snapshot, which hard-links blocks the same way)."""
    with tempfile.TemporaryDirectory(prefix="obsgen-demo-prometheus-", dir=blocks.parent) as work:
        workdir = Path(work)
        shutil.copytree(blocks, workdir / "data", copy_function=os.link)
        with _serving(workdir / "data", workdir) as url:
            yield url


@contextmanager
def _serving(data: Path, workdir: Path) -> Iterator[str]:
    """A Prometheus on the data directory `data`, its config and supervisor state in `workdir`."""
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor = Supervisor(workdir / "state")
    try:
        supervisor.start("demo-prometheus", [
            "prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
            f"--storage.tsdb.retention.time={RETENTION}", f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn"], http_ready(url + "/-/ready"), url)
        yield url
    finally:
        supervisor.stop_all()
