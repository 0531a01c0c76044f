"""The exporter against SQLite (the embedded default): shipped queries served from cache match the database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from generator.exporter.sql import bind_values
from tests.exporter.conftest import ROOT, named, one, running_exporter, shipped_config, write_config

SLOW_SQL = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
            "SELECT COUNT(*) AS value FROM c")
BROKEN = [
    {"name": "shop_broken_ratio", "defined_at": "definitions/broken.py:3", "type": "gauge", "help": "Broken.",
     "database": "shop", "sql": "SELECT COUNT(*) AS value FROM no_such_table"},
    {"name": "shop_writer_total", "defined_at": "definitions/broken.py:7", "type": "counter", "help": "Writes.",
     "database": "shop", "sql": "DELETE FROM orders RETURNING 1 AS value"},
    {"name": "shop_slow_total", "defined_at": "definitions/broken.py:11", "type": "counter", "help": "Slow.",
     "database": "shop", "sql": SLOW_SQL, "timeout": "1s"},
]


def expected_samples(
    db: sqlite3.Connection, query: dict[str, Any], now: float
) -> dict[frozenset[tuple[str, str]], float]:
    """What the query returns when run directly, with :now and :today bound as the exporter bound them."""
    cursor = db.execute(query["sql"], bind_values(now))
    columns = [d[0] for d in cursor.description]
    found = {}
    for row in cursor.fetchall():
        record = dict(zip(columns, row, strict=True))
        if record["value"] is not None:
            found[frozenset((label, str(record[label])) for label in query.get("labels", []))] = float(record["value"])
    return found


def test_shipped_queries_serve_what_the_database_holds(tmp_path: Path, demo_sqlite: str) -> None:
    config = shipped_config()
    shipped = list(config["queries"])
    config["forecasts"] = []
    config["queries"] = shipped + [dict(entry) for entry in BROKEN]
    # one run at start and none after, so the served values and the database can be compared at leisure
    path = write_config(tmp_path / "exporter.yml", config, interval="1h", stale_after="2h")

    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": demo_sqlite}) as exporter:
        names = [q["name"] for q in config["queries"]]
        series = exporter.wait_for(
            lambda s: all(sum(exporter.runs(s, n, status) for status in ("success", "error", "timeout")) >= 1
                          for n in names), 60, "a first run of every query")
        db = sqlite3.connect(demo_sqlite.removeprefix("sqlite:///"))
        for query in shipped:
            now = one(series, "obsgen_query_last_success_timestamp_seconds", query=query["name"],
                      database=query["database"])
            assert now is not None, query["name"]
            expected = expected_samples(db, query, now)
            assert expected, f"{query['name']} returns no rows on the demo database"
            assert named(series, query["name"]) == expected, query["name"]
        assert one(series, "obsgen_database_up", database="shop") == 1

        assert exporter.runs(series, "shop_broken_ratio", "error") == 1
        assert exporter.runs(series, "shop_writer_total", "error") == 1
        assert exporter.runs(series, "shop_slow_total", "timeout") == 1
        assert not named(series, "shop_broken_ratio") and not named(series, "shop_slow_total")
        log = exporter.log.read_text()
        assert "definitions/broken.py:3: shop_broken_ratio failed: no such table: no_such_table" in log
        assert "definitions/broken.py:7: shop_writer_total failed: refused DELETE orders: " in log
        assert "definitions/broken.py:11: shop_slow_total failed: cancelled after its timeout of 1s" in log
        orders = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        assert sum(named(series, "shop_orders_total").values()) == orders  # the DELETE was refused


def test_missing_dsn_variable_marks_the_database_down(tmp_path: Path) -> None:
    config = shipped_config()
    config["forecasts"] = []
    path = write_config(tmp_path / "exporter.yml", config, interval="1h", stale_after="2h")

    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": ""}) as exporter:
        series = exporter.wait_for(lambda s: one(s, "obsgen_database_up", database="shop") == 0, 30, "database down")
        assert not named(series, "shop_orders_total")
    assert "environment variable SHOP_DATABASE_URL is not set" in exporter.log.read_text()


def test_unusable_configuration_exits_with_the_definition_named(tmp_path: Path) -> None:
    config = shipped_config()
    config["queries"][0]["type"] = "histogram"
    path = write_config(tmp_path / "exporter.yml", config)

    result = subprocess.run([sys.executable, "-m", "generator", "exporter", "--config", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    where = config["queries"][0]["defined_at"]
    assert result.stderr.startswith(f"error: {where}: queries entry 'shop_orders_total': ")
    assert "gauge or a counter" in result.stderr


def test_a_missing_database_file_is_down_never_recreated_and_recovers_when_it_returns(
        tmp_path: Path, demo_sqlite: str) -> None:
    config = shipped_config()
    config["forecasts"] = []
    config["queries"] = config["queries"][:1]
    path = write_config(tmp_path / "exporter.yml", config, interval="1s", timeout="1s", stale_after="1h")
    database = Path(demo_sqlite.removeprefix("sqlite:///"))
    away = database.with_name("moved.db")

    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": demo_sqlite}) as exporter:
        exporter.wait_for(lambda s: bool(named(s, "shop_orders_total")), 30, "the first run")
        database.rename(away)
        gone = exporter.wait_for(lambda s: one(s, "obsgen_database_up", database="shop") == 0, 30, "database down")
        recreated = database.exists()
        away.rename(database)
        back = exporter.wait_for(lambda s: one(s, "obsgen_database_up", database="shop") == 1, 30, "recovery")

    assert not named(gone, "shop_orders_total")
    assert not recreated
    assert named(back, "shop_orders_total")
    assert f"unreachable: no SQLite file {database}: it is opened read-only, never created" in exporter.log.read_text()


def test_sigterm_interrupts_a_query_in_progress(tmp_path: Path, demo_sqlite: str) -> None:
    """A rolling restart does not wait for a long query's timeout (the pod would be killed first)."""
    config = shipped_config()
    config["forecasts"] = []
    config["queries"] = [{**BROKEN[2], "timeout": "60s", "interval": "2m"}]
    path = write_config(tmp_path / "exporter.yml", config)

    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": demo_sqlite}) as exporter:
        time.sleep(2)  # its only run, started at once, computes for up to 60 s
        exporter.stop()

    exporter.assert_interrupted_at_stop("shop_slow_total")


def test_sql_that_would_write_a_file_is_refused_before_it_runs(tmp_path: Path, demo_sqlite: str) -> None:
    """mode=ro and query_only keep the database intact, yet ATTACH ... mode=rwc and VACUUM INTO created their file
    before failing: SQLite's authorizer lets a business query read and nothing else."""
    def query(name: str, sql: str, labels: tuple[str, ...] = ()) -> dict[str, Any]:
        return {"name": name, "defined_at": f"definitions/guard.py:{len(name)}", "type": "gauge", "help": "Guard.",
                "database": "shop", "sql": sql, "labels": list(labels)}

    reader = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3), "
              "tagged AS (SELECT i, json_extract(json_array(i, 'x'), '$[1]') AS tag FROM n) "
              "SELECT tagged.tag || j.value AS tag, SUM(i) OVER (PARTITION BY tagged.tag) + LENGTH(strftime('%Y')) "
              "AS value FROM tagged, json_each(json_array(i)) AS j")
    config = shipped_config()
    config["forecasts"] = []
    config["queries"] = [query("shop_vacuum", f"VACUUM INTO '{tmp_path / 'copy.db'}'"),
                         query("shop_attach", f"ATTACH DATABASE 'file:{tmp_path / 'attached.db'}?mode=rwc' AS a"),
                         query("shop_pragma", "PRAGMA query_only = OFF"),
                         query("shop_reader", reader, ("tag",))]
    path = write_config(tmp_path / "exporter.yml", config, interval="1h", stale_after="2h")

    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": demo_sqlite}) as exporter:
        series = exporter.wait_for(lambda s: sum(exporter.runs(s, q["name"], status) for q in config["queries"]
                                                 for status in ("success", "error", "timeout")) == 4, 60, "a run each")
    log = exporter.log.read_text()
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "attached.db").exists()
    for name in ("shop_vacuum", "shop_attach", "shop_pragma"):
        assert exporter.runs(series, name, "error") == 1, name
    refused = "refused ATTACH or VACUUM INTO"
    assert f"shop_vacuum failed: {refused} {tmp_path / 'copy.db'}: a business query may only read " in log
    assert f"shop_attach failed: {refused} file:{tmp_path / 'attached.db'}?mode=rwc: " in log
    assert "shop_pragma failed: refused PRAGMA query_only: " in log
    # CTEs, a recursive one, a window, JSON functions and a table-valued one, dates: what a read may need
    assert named(series, "shop_reader") == {frozenset({("tag", f"x{i}")}): 6.0 + 4 for i in (1, 2, 3)}, log


JOB_SERIES = ("obsgen_query_duration_seconds_count", "obsgen_query_runs_total", "obsgen_query_runs_missed_total",
              "obsgen_query_last_success_timestamp_seconds", "obsgen_query_consecutive_failures")


def test_every_series_of_a_job_carries_the_database_it_reads(tmp_path: Path, demo_sqlite: str) -> None:
    """Errors and durations break down by database and join obsgen_database_up; a forecast's database is empty,
    which Prometheus stores as no label, as its missed-runs and failures series already were."""
    config = shipped_config()
    config["databases"] = [*config["databases"], {"name": "replica", "defined_at": "definitions/business.py:90",
                                                  "dsn_env": "REPLICA_DATABASE_URL", "connect_timeout": 5}]
    config["queries"] = [config["queries"][0], dict(config["queries"][1], database="replica")]
    config["forecasts"] = config["forecasts"][:1]  # its Prometheus never answers: declared series only
    path = write_config(tmp_path / "exporter.yml", config, interval="1h", stale_after="2h")
    databases = {entry["name"]: entry["database"] for entry in config["queries"]}
    databases[config["forecasts"][0]["name"]] = ""

    env = {"SHOP_DATABASE_URL": demo_sqlite, "REPLICA_DATABASE_URL": demo_sqlite}
    with running_exporter(path, tmp_path, env=env) as exporter:
        series = exporter.wait_for(lambda s: all(exporter.runs(s, entry["name"]) for entry in config["queries"]),
                                   60, "a success of every query")
    for name in JOB_SERIES:
        found = [dict(labels) for (metric, labels), _ in series.items() if metric == name]
        jobs = {labels["query"] for labels in found}
        if name != "obsgen_query_last_success_timestamp_seconds":  # set at a success only: the forecast has none
            assert jobs == set(databases), name
        for labels in found:
            assert labels.get("database") == databases[labels["query"]], (name, labels)
    assert one(series, "obsgen_query_runs_total", query=config["queries"][1]["name"], database="replica",
               status="success") == 1
