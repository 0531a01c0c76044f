"""The real exporter process, its configuration, and scrapes of its /metrics, for the exporter's tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from generator.exporter.scheduler import LEFT_RUNNING_AT_STOP
from tests.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONFIG = ROOT / "out/exporter/exporter.yml"

Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def shipped_config() -> dict[str, Any]:
    """The committed out/exporter/exporter.yml, as data."""
    return dict(yaml.safe_load(SHIPPED_CONFIG.read_text()))


def write_config(path: Path, config: dict[str, Any], **schedule: str) -> Path:
    """Write a configuration, with every query's and forecast's interval/timeout/stale_after replaced."""
    for entry in [*config.get("queries", []), *config.get("forecasts", [])]:
        entry.update(schedule)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def scrape_text(url: str) -> Series:
    """Every sample of an exposition, keyed by (name, labels)."""
    text = requests.get(url, timeout=5).text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def named(series: Series, name: str) -> dict[frozenset[tuple[str, str]], float]:
    """The samples of one series name, keyed by labels."""
    return {labels: value for (n, labels), value in series.items() if n == name}


def one(series: Series, name: str, **labels: str) -> float | None:
    """The value of one series, None when absent."""
    return series.get((name, frozenset(labels.items())))


@dataclass
class RunningExporter:
    """An `obsgen exporter` process on a free loopback port."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def scrape(self) -> Series:
        """Scrape /metrics once."""
        return scrape_text(f"{self.url}/metrics")

    def wait_for(self, predicate: Callable[[Series], bool], timeout: float, what: str) -> Series:
        """Scrape until predicate holds; fail with the exporter's log after timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            series = self.scrape()
            if predicate(series):
                return series
            time.sleep(0.1)
        raise AssertionError(f"{what} not seen within {timeout}s; exporter log:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> float:
        """Send SIGTERM; the seconds until the process exited (cleanly, code 0)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=90) == 0, self.log.read_text()[-3000:]
        return time.monotonic() - started

    def assert_interrupted_at_stop(self, job: str) -> None:
        """SIGTERM interrupted `job`'s run in progress: its failure says so, after the exporter's `stopping`, and
        no run outlived Scheduler.stop's wait (which would make a stop take the whole 10 s)."""
        log = self.log.read_text()
        stopping = log.find(" INFO stopping\n")
        assert stopping >= 0, log[-3000:]
        assert f"{job} failed: interrupted: the exporter is stopping" in log[stopping:], log[-3000:]
        assert LEFT_RUNNING_AT_STOP not in log, log[-3000:]

    def runs(self, series: Series, job: str, status: str = "success") -> float:
        """How many runs of a job ended with status."""
        return sum(value for (name, labels), value in series.items() if name == "obsgen_query_runs_total"
                   and {("query", job), ("status", status)} <= labels)  # whichever database it reads


@contextmanager
def running_exporter(config: Path, workdir: Path, env: dict[str, str] | None = None,
                     prometheus_url: str = "http://127.0.0.1:9",
                     wrapper: Sequence[str] = ()) -> Iterator[RunningExporter]:
    """Start `obsgen exporter` (through `wrapper`, a command that runs its arguments, when given); on exit send SIGTERM
    and require a clean exit (code 0)."""
    port = free_port()
    log = workdir / f"exporter-{port}.log"
    argv = [*wrapper, sys.executable, "-m", "generator", "exporter", "--config", str(config),
            "--listen", f"127.0.0.1:{port}", "--prometheus-url", prometheus_url]
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT,
                                   env={**os.environ, **(env or {})})
    try:
        wait_ready(f"http://127.0.0.1:{port}/metrics", process, log)
        yield RunningExporter(process, f"http://127.0.0.1:{port}", log)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def demo_sqlite(tmp_path: Path) -> str:
    """A demo database of two days in SQLite, made by `obsgen demo-db`; its SQLAlchemy URL."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    result = subprocess.run([sys.executable, "-m", "generator", "demo-db", "--dsn", url, "--days", "2"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return url


def running_queries(url: str, sql: str) -> int:
    """How many PostgreSQL backends are running a query containing `sql` (other than the one asking)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")  # pg_stat_activity is a snapshot per transaction
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                                  "AND strpos(query, :sql) > 0 AND pid <> pg_backend_pid()"), {"sql": sql}).scalar()
    engine.dispose()
    return int(found or 0)


def wait_until_running(url: str, sql: str) -> None:
    """Until a backend runs a query containing `sql` (its connection is open and the server computing)."""
    deadline = time.monotonic() + 30
    while not running_queries(url, sql):
        assert time.monotonic() < deadline, "the run's query never started"
        time.sleep(0.05)
