"""What a business query's run leaves behind on a real PostgreSQL: no query once the exporter gave up on it, and
no more rows in memory than max_series allows."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from prometheus_client import CollectorRegistry, Gauge

from generator.core.duration import parse_seconds
from generator.exporter import sql
from generator.exporter.jobs import STOPPED, JobFailed
from generator.exporter.sql import Databases, QueryJob
from generator.model import BusinessMetric, Database, MetricType
from tests.exporter.conftest import ROOT, running_queries, wait_until_running, write_config
from tests.servers import Postgres, free_port, postgres

SLEEP = "pg_sleep(60)"
GONE_WITHIN = 15.0
"""Seconds a query the exporter gave up on may take to end on the server: far below its 60 s statement_timeout."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Postgres]:
    """An empty PostgreSQL cluster."""
    with postgres() as server:
        yield server


def query_job(monkeypatch: pytest.MonkeyPatch, url: str, sql: str, timeout: str = "60s") -> QueryJob:
    """A gauge of `sql` on the database at `url`, with a timeout of 60 s unless told."""
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    database = Database(name="shop", dsn_env="SHOP_DATABASE_URL", connect_timeout=2)
    metric = BusinessMetric(name="q_one", type=MetricType.GAUGE, help="One.", database="shop", sql=sql,
                            timeout=timeout)
    return QueryJob(metric, Databases({"shop": database}), Gauge("up", "Up.", registry=CollectorRegistry()))


def wait_until_gone(url: str, sql: str) -> float:
    """Seconds until no backend runs a query containing `sql`, GONE_WITHIN at most."""
    started = time.monotonic()
    while running_queries(url, sql) and time.monotonic() - started < GONE_WITHIN:
        time.sleep(0.1)
    return time.monotonic() - started


def test_a_run_the_exporter_cuts_short_ends_on_the_server_too(cluster: Postgres,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopping shuts the run's socket down: the run ends at once, yet the server, which does not read the socket
    while it computes, ran the query on until its statement_timeout (pg_stat_activity showed it for 60 s)."""
    job = query_job(monkeypatch, cluster.url, f"SELECT 1 AS value FROM {SLEEP}")  # only statement_timeout ends it
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            job.run(time.time())
        except JobFailed as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_until_running(cluster.url, SLEEP)
    job.interrupt()
    thread.join(10)
    assert not thread.is_alive() and str(outcome[0]) == STOPPED
    took = wait_until_gone(cluster.url, SLEEP)
    print(f"\nthe server ended the query {took:.1f} s after the run was cut")
    assert not running_queries(cluster.url, SLEEP), f"the query still runs on the server {took:.0f} s after the cut"


def test_a_killed_exporter_leaves_no_query_running_on_the_server(cluster: Postgres, tmp_path: Path) -> None:
    """An exporter killed mid-query (OOM killer, SIGKILL after a grace period) can send nothing: the server must
    notice the closed connection itself rather than compute for nobody until statement_timeout."""
    config = {"exporter": {"listen": "127.0.0.1:0", "prometheus_url": "http://127.0.0.1:9"},
              "databases": [{"name": "shop", "dsn_env": "SHOP_DATABASE_URL", "connect_timeout": 2}],
              "queries": [{"name": "q_one", "type": "gauge", "help": "One.", "database": "shop",
                           "sql": f"SELECT 1 AS value FROM {SLEEP}"}]}
    path = write_config(tmp_path / "exporter.yml", config, interval="2m", timeout="60s")
    argv = [sys.executable, "-m", "generator", "exporter", "--config", str(path), "--listen",
            f"127.0.0.1:{free_port()}"]
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "SHOP_DATABASE_URL": cluster.url},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_running(cluster.url, SLEEP)
    finally:
        process.kill()
        process.wait()
    took = wait_until_gone(cluster.url, SLEEP)
    print(f"\nthe server ended the killed exporter's query {took:.1f} s after the kill")
    assert not running_queries(cluster.url, SLEEP), f"the query still runs on the server {took:.0f} s after the kill"


def test_a_server_refusing_the_client_check_runs_the_query_without_it(cluster: Postgres,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A server without the check (on Windows) refuses client_connection_check_interval: the run goes on."""
    monkeypatch.setattr(sql, "CHECK_CLIENT_MS", -1)  # refused as PostgreSQL on Windows refuses any value but 0
    assert [sample.value for sample in query_job(monkeypatch, cluster.url, "SELECT 7 AS value").run(0)] == [7.0]


PEAK_RSS = """
import sys, time
from prometheus_client import CollectorRegistry, Gauge
from generator.exporter.jobs import JobFailed
from generator.exporter import sql
from generator.exporter.sql import Databases, QueryJob
from generator.model import BusinessMetric, Database, MetricType

sql = sys.argv[1]
metric = BusinessMetric(name="by_customer", type=MetricType.GAUGE, help="By customer.", database="shop",
                        labels=("customer",), sql=sql, timeout="60s")
shop = Database(name="shop", dsn_env="SHOP_DATABASE_URL")
job = QueryJob(metric, Databases({"shop": shop}), Gauge("up", "Up.", registry=CollectorRegistry()))
try:
    job.run(time.time())
except JobFailed as error:
    assert str(error).startswith("returned more than max_series=1000 rows"), error
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(int(status["VmHWM"].split()[0]) * 1024)
"""
ROWS = {
    "postgresql": "SELECT 'customer-' || i AS customer, i AS value FROM generate_series(1, {n}) AS i",
    "sqlite": "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) "
              "SELECT 'customer-' || i AS customer, i AS value FROM c",
}


def peak_rss(dsn: str, sql: str) -> int:
    """The peak resident memory (bytes) of a process that ran one business query of `sql` on `dsn`."""
    result = subprocess.run([sys.executable, "-c", PEAK_RSS, sql], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "SHOP_DATABASE_URL": dsn}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.split()[-1])


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_result_far_beyond_max_series_is_never_held_in_memory(cluster: Postgres, tmp_path: Path,
                                                                  backend: str) -> None:
    """max_series bounded what Python kept, yet libpq received and buffered the whole result before the first row
    was read: 2,000,000 rows took the exporter's memory up by 140 MB, where 1,001 took nothing (SQLite's
    cursor steps through its rows: it always held them within max_series)."""
    dsn = cluster.url if backend == "postgresql" else f"sqlite:///{tmp_path / 'shop.db'}"
    if backend == "sqlite":
        sqlite3.connect(tmp_path / "shop.db").close()
    small = peak_rss(dsn, ROWS[backend].format(n=1001))
    large = peak_rss(dsn, ROWS[backend].format(n=2_000_000))
    print(f"\n{backend}: peak RSS {small / 1e6:.0f} MB for 1,001 rows, {large / 1e6:.0f} MB for 2,000,000 "
          f"(ratio {large / small:.2f})")
    assert large - small < 20e6, f"2,000,000 rows took {(large - small) / 1e6:.0f} MB more than 1,001"


@pytest.mark.parametrize("sql", [
    "SELECT 7 AS value;", "SELECT 7 AS value -- the answer",
    "WITH t AS (SELECT 7 AS v)\nSELECT v AS value FROM t ORDER BY v;\n",
    "SELECT 7 AS value WHERE 'a;b' <> '' -- the answer; for now",
    "SELECT \"x;y\" AS value FROM (SELECT 7 AS \"x;y\") AS t WHERE $$a;b$$ <> E'c\\';d' AND $t$;$t$ = ';'; -- done",
    "-- orders; all of them\nSELECT 7 AS value /* ; */;\n/* trailing; */\n",
])
def test_the_limit_keeps_a_query_as_written(cluster: Postgres, monkeypatch: pytest.MonkeyPatch, sql: str) -> None:
    """The LIMIT that bounds the rows wraps a query ending with a semicolon or a comment, starting WITH or with a
    comment, or holding ';' in its strings, quoted names and comments."""
    job = query_job(monkeypatch, cluster.url, sql)
    assert [sample.value for sample in job.run(time.time())] == [7.0]


@pytest.mark.parametrize(("timeout", "idle", "interval"), [("8s", 1, 1), ("30s", 6, 3), ("1m", 10, 5)])
def test_a_run_s_connection_probes_a_silent_server_sized_from_its_timeout(
        cluster: Postgres, monkeypatch: pytest.MonkeyPatch, timeout: str, idle: int, interval: int) -> None:
    """A server whose network drops without FIN or reset never answers again: the kernel's keepalive probes give
    the connection up after idle + 3 x interval seconds of silence, about half the run's timeout, 25 s at most,
    instead of at statement_timeout (which that server cannot enforce). Read from the socket libpq opened."""
    job = query_job(monkeypatch, cluster.url, "SELECT 1 AS value", timeout)
    with job.connect() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        given = driver.info.get_parameters()
        with socket.socket(fileno=os.dup(driver.pgconn.socket)) as sock:
            applied = (sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                       *(sock.getsockopt(socket.IPPROTO_TCP, option)
                         for option in (socket.TCP_KEEPIDLE, socket.TCP_KEEPINTVL, socket.TCP_KEEPCNT)))
    expected = {"keepalives": "1", "keepalives_idle": str(idle), "keepalives_interval": str(interval),
                "keepalives_count": "3"}
    assert {key: given.get(key) for key in expected} == expected
    assert applied == (1, idle, interval, 3)
    assert idle + 3 * interval <= max(parse_seconds(timeout) / 2, 5)
