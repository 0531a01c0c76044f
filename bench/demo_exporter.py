"""A real ``obsgen exporter`` serving a demo SQLite database on a free loopback port, for the exporter benches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = REPO / "out/exporter/exporter.yml"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.servers import free_port, wait_ready  # noqa: E402


@dataclass(frozen=True)
class RunningExporter:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"


@contextmanager
def demo_exporter(config: dict[str, object], prefix: str) -> Iterator[RunningExporter]:
    """Serve `config` (an exporter.yml document) over a fresh two-day demo database; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'shop.db'}"
        subprocess.run([sys.executable, "-m", "generator", "demo-db", "--dsn", url, "--days", "2"],
                       cwd=REPO, check=True, capture_output=True)
        config_file = workdir / "exporter.yml"
        config_file.write_text(yaml.safe_dump(config))
        port = free_port()
        log = workdir / "exporter.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "generator", "exporter", "--config", str(config_file),
                 "--listen", f"127.0.0.1:{port}"], cwd=REPO, stdout=sink, stderr=subprocess.STDOUT,
                env={**os.environ, "SHOP_DATABASE_URL": url})
        try:
            running = RunningExporter(port, process, log)
            wait_ready(running.metrics_url, process, log)
            yield running
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
