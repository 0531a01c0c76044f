"""A throwaway Prometheus on a free loopback port holding the demo's 8 days of history (see demo_history)."""

from __future__ import annotations

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
        data = workdir / "data"
        write_blocks(series, project, now, data, workdir)
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
