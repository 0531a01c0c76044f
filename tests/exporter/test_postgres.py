"""The exporter against a real PostgreSQL: values match, and it rides out the database stopping and starting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import create_engine, text

from generator.exporter.demo_db import DemoShop, create
from generator.exporter.jobs import JobFailed, SourceNotAnswering
from generator.exporter.scheduler import LEFT_RUNNING_AT_STOP
from generator.exporter.sql import Databases, QueryJob, bind_values
from generator.model import BusinessMetric, Database, MetricType
from tests.exporter.conftest import (
    RunningExporter,
    Series,
    named,
    one,
    running_exporter,
    shipped_config,
    wait_until_running,
    write_config,
)
from tests.servers import Postgres, postgres

COUNTERS = ("shop_orders_total", "shop_revenue_total", "shop_rag_queries_total", "shop_rag_cost_total")
STALE_AFTER = 3.0
SLOW = {"name": "shop_slow_total", "defined_at": "definitions/slow.py:1", "type": "counter", "help": "Slow.",
        "database": "shop", "sql": "SELECT COUNT(*) AS value FROM pg_sleep(5)"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Postgres]:
    """A PostgreSQL cluster holding one day of demo data."""
    with postgres() as server:
        engine = create_engine(server.url)
        create(engine, days=1.0, seed=11)
        engine.dispose()
        yield server


def database_values(url: str, query: dict[str, object], now: float) -> dict[frozenset[tuple[str, str]], float]:
    """What the query returns when run directly on PostgreSQL with :now and :today bound."""
    engine = create_engine(url)
    statement = text(str(query["sql"]))
    with engine.connect() as conn:
        result = conn.execute(statement, {name: value for name, value in bind_values(now).items()
                                          if name in statement.compile().params})
        rows = [dict(row._mapping) for row in result]
    engine.dispose()
    labels = list(query.get("labels", []))  # type: ignore[call-overload]
    return {frozenset((label, str(row[label])) for label in labels): float(row["value"])
            for row in rows if row["value"] is not None}


def business(series: Series) -> dict[str, dict[frozenset[tuple[str, str]], float]]:
    """The shop_* counters served."""
    return {name: named(series, name) for name in COUNTERS if named(series, name)}


def test_values_match_and_the_exporter_rides_out_a_database_restart(cluster: Postgres, tmp_path: Path) -> None:
    config = shipped_config()
    config["forecasts"] = []
    shipped = list(config["queries"])
    config["queries"] = [*shipped, SLOW]
    path = write_config(tmp_path / "exporter.yml", config, interval="1s", timeout="1s", stale_after=f"{STALE_AFTER:g}s")

    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": cluster.url}) as exporter:
        series = exporter.wait_for(lambda s: all(named(s, q["name"]) for q in shipped), 60, "every query")
        for query in shipped:
            now = one(series, "obsgen_query_last_success_timestamp_seconds", query=query["name"],
                      database=query["database"])
            assert now is not None
            assert named(series, query["name"]) == database_values(cluster.url, query, now), query["name"]
        assert one(series, "obsgen_database_up", database="shop") == 1
        exporter.wait_for(lambda s: exporter.runs(s, SLOW["name"], "timeout") >= 1, 30, "a cancelled slow query")
        pid = exporter.process.pid

        cluster.stop()
        stopped = time.monotonic()
        exporter.wait_for(lambda s: one(s, "obsgen_database_up", database="shop") == 0, 30, "up == 0")
        gone = exporter.wait_for(lambda s: not business(s), 30, "business series vanishing")
        vanished_after = time.monotonic() - stopped
        # the last good run ended at most one interval + timeout before the stop
        assert vanished_after <= STALE_AFTER + 1.0, f"series served {vanished_after:.1f}s after the database stopped"
        assert one(gone, "obsgen_database_up", database="shop") == 0
        # failing run after run, each query says which database it reads: BusinessQueryFailing leaves it to
        # BusinessDatabaseDown, one alert for the outage
        exporter.wait_for(lambda s: (one(s, "obsgen_query_consecutive_failures", query="shop_orders_total",
                                         database="shop") or 0) >= 2, 30, "two failed runs in a row")
        _stays_gone(exporter, seconds=2.0)

        cluster.start()
        restarted = time.monotonic()
        shop = DemoShop(create_engine(cluster.url))
        shop.write(time.time() - 600, time.time())  # new rows: what is served next must be fresh, not remembered
        shop.engine.dispose()
        back = exporter.wait_for(lambda s: one(s, "obsgen_database_up", database="shop") == 1 and bool(business(s))
                                 and _matches_database(s, cluster.url, shipped), 30, "fresh values")
        print(f"\nPostgreSQL stopped: series gone after {vanished_after:.1f} s (stale_after {STALE_AFTER:g} s); "
              f"restarted: fresh values served after {time.monotonic() - restarted:.1f} s")
        assert exporter.process.pid == pid and exporter.process.poll() is None
        assert exporter.runs(back, "shop_orders_total", "error") >= 1
        assert one(back, "obsgen_query_consecutive_failures", query="shop_orders_total", database="shop") == 0
    log = exporter.log.read_text()
    assert "database shop unreachable" in log
    assert "definitions/slow.py:1: shop_slow_total failed: cancelled after its timeout of 1s" in log


def _stays_gone(exporter: RunningExporter, seconds: float) -> None:
    """While the database is down, no business series comes back (no stale value is served)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert not business(exporter.scrape())
        time.sleep(0.2)


def _matches_database(series: Series, url: str, queries: list[dict[str, object]]) -> bool:
    served = business(series)
    wanted = {q["name"]: q for q in queries if q["name"] in COUNTERS}
    return set(served) == set(wanted) and all(served[name] == database_values(url, wanted[name], 0.0)
                                              for name in served)



def one_query_config(sql: str) -> dict[str, Any]:
    """An exporter configuration of one query, q_one, on the shop database (connect_timeout 2 s)."""
    return {"exporter": {"listen": "127.0.0.1:0", "prometheus_url": "http://127.0.0.1:9"},
            "databases": [{"name": "shop", "dsn_env": "SHOP_DATABASE_URL", "connect_timeout": 2}],
            "queries": [{"name": "q_one", "type": "gauge", "help": "One.", "database": "shop", "sql": sql}]}


def test_a_database_that_stops_answering_is_down_its_runs_fail_and_sigterm_still_stops(
        cluster: Postgres, tmp_path: Path) -> None:
    """A server that keeps its connections open but never answers (a frozen VM, a host lost without a reset)."""
    path = write_config(tmp_path / "exporter.yml", one_query_config("SELECT 1 AS value"), interval="1s",
                        timeout="1s", stale_after="3s")
    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": cluster.url}) as exporter:
        exporter.wait_for(lambda s: one(s, "q_one") == 1 and exporter.runs(s, "q_one") >= 2, 30, "q_one served")
        with cluster.frozen():
            down = exporter.wait_for(lambda s: one(s, "obsgen_database_up", database="shop") == 0, 30,
                                     "database_up 0 while the server does not answer")
            assert one(down, "q_one") is None  # its last value is not served as if the database were fine
            exporter.wait_for(lambda s: exporter.runs(s, "q_one", "error") + exporter.runs(s, "q_one", "timeout")
                              >= 2, 30, "runs ending, each a failure")
            took = exporter.stop()
            print(f"\nstopped {took:.1f} s after SIGTERM while the database was frozen")
    assert LEFT_RUNNING_AT_STOP not in exporter.log.read_text()  # no run held the stop for its whole 10 s
    assert "q_one failed: database shop unreachable: connection timeout expired" in exporter.log.read_text()


def test_a_query_whose_server_stops_answering_is_cut_at_timeout_plus_connect_timeout(
        cluster: Postgres, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server froze mid-query: it cannot enforce its statement_timeout, so the exporter closes the connection
    once the run's timeout and the connect_timeout allowance are over, and the database counts as down."""
    monkeypatch.setenv("SHOP_DATABASE_URL", cluster.url)
    database = Database(name="shop", dsn_env="SHOP_DATABASE_URL", connect_timeout=2)
    metric = BusinessMetric(name="q_sleepy", type=MetricType.GAUGE, help="Sleepy.", database="shop",
                            sql="SELECT 1 AS value FROM pg_sleep(3)", timeout="5s")
    job = QueryJob(metric, Databases({"shop": database}), Gauge("up", "Up.", registry=CollectorRegistry()))
    outcome: list[object] = []
    run = threading.Thread(target=lambda: outcome.append(_outcome(job)), daemon=True)
    started = time.monotonic()
    run.start()
    wait_until_running(cluster.url, "pg_sleep(3)")
    with cluster.frozen():
        run.join(60)  # the limit is 7 s; without one the run never ends while the server is frozen
        still_running = run.is_alive()
    run.join(30)
    assert not still_running, "the run did not end while the server was frozen"
    elapsed = time.monotonic() - started
    assert isinstance(outcome[0], SourceNotAnswering), outcome
    assert str(outcome[0]) == ("database shop did not answer within 7s (timeout 5s + connect_timeout): "
                               "connection closed")
    assert elapsed >= 7, f"cut after {elapsed:.1f} s, before the server's own timeout could act"


def test_sigterm_cuts_a_query_in_progress(cluster: Postgres, tmp_path: Path) -> None:
    """A rolling restart does not wait for a long query's timeout (the pod would be killed first)."""
    path = write_config(tmp_path / "exporter.yml", one_query_config("SELECT 1 AS value FROM pg_sleep(60)"),
                        interval="2m", timeout="60s")
    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": cluster.url}) as exporter:
        wait_until_running(cluster.url, "pg_sleep(60)")
        exporter.stop()
    exporter.assert_interrupted_at_stop("q_one")


def _outcome(job: QueryJob) -> object:
    """What a run returned or raised."""
    try:
        return job.run(time.time())
    except JobFailed as error:
        return error
