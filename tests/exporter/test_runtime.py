"""Unit tests of the exporter's runtime pieces: config, cache, rows, scheduler outcomes, rendering, report."""

from __future__ import annotations

import itertools
import math
import sqlite3
import threading
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from generator.exporter.cache import ResultCache, Sample, labels_of
from generator.exporter.capacity import Recommendation
from generator.exporter.collectors import business_collector, forecast_collector
from generator.exporter.config import ConfigError, ExporterConfig, load_config
from generator.exporter.exposition import Exposition
from generator.exporter.jobs import Job, JobFailed, JobTimeout, SourceDown, SourceNotAnswering
from generator.exporter.predict import Prediction, samples
from generator.exporter.report import ForecastReport, render
from generator.exporter.scheduler import LEFT_RUNNING_AT_STOP, Scheduler, SelfMetrics
from generator.exporter.server import build
from generator.exporter.sql import Databases, QueryJob, resolve_url, rows_to_samples
from generator.model import BusinessMetric, Database, ExporterSettings, Forecast, MetricType
from generator.model.project import Project
from generator.targets.exporter import NOT_AT_RUNTIME
from tests.exporter.conftest import SHIPPED_CONFIG

ORDERS = BusinessMetric(name="orders_total", type=MetricType.COUNTER, help="Orders.", database="shop",
                        sql="SELECT status, COUNT(*) AS value FROM orders GROUP BY status", labels=("status",))


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_shipped_config_reads_back_as_the_definitions_with_their_locations(project: Project) -> None:
    config = load_config(SHIPPED_CONFIG)

    declared = {m.name: m for m in project.all(BusinessMetric)}
    assert [q.name for q in config.queries] == list(declared)
    for query in config.queries:
        # what exporter.yml carries: fields that say nothing to the exporter stay out (and read back as defaults)
        assert query.model_dump(exclude=NOT_AT_RUNTIME) == declared[query.name].model_dump(exclude=NOT_AT_RUNTIME)
        assert query.location == project.relative(declared[query.name].location)
    assert [f.name for f in config.forecasts] == [f.name for f in project.all(Forecast)]
    assert config.databases["shop"].dsn_env == "SHOP_DATABASE_URL"


def test_the_shipped_config_holds_no_secret() -> None:
    text = SHIPPED_CONFIG.read_text()
    assert "dsn_env: SHOP_DATABASE_URL" in text and "password:" not in text and "@" not in text


def test_a_broken_config_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "exporter.yml"
    path.write_text("queries:\n- name: x_total\n  defined_at: definitions/b.py:4\n  type: counter\n  help: X.\n"
                    "  database: nowhere\n  sql: SELECT 1 AS value\n")
    with pytest.raises(ConfigError, match=r"^definitions/b.py:4: query x_total: unknown database 'nowhere'"):
        load_config(path)



def test_a_config_of_yaml_aliases_is_refused_unexpanded(tmp_path: Path) -> None:
    """749 bytes of aliases nested 8 deep took 2.5 GB and 23 s before a MemoryError (the entries were walked and
    the error message repeated each); a device is not read."""
    levels = ["a0: &a0 {x: 1}"] + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    path = tmp_path / "exporter.yml"
    path.write_text("\n".join(levels) + "\nqueries: [*a8]\n")
    with pytest.raises(ConfigError, match=r"exporter.yml:2: cannot read the exporter configuration: an alias "
                                          r"reuses the value anchored as &a0"):
        load_config(path)
    (tmp_path / "zero.yml").symlink_to("/dev/zero")
    with pytest.raises(ConfigError, match="it is a character device, not a regular file"):
        load_config(tmp_path / "zero.yml")

def test_the_cache_forgets_results_older_than_stale_after() -> None:
    clock = FakeClock()
    cache = ResultCache(clock)
    cache.put("a", [Sample("a", (), 1.0)], stale_after=10)
    cache.put("b", [Sample("b", (), 2.0)], stale_after=30)
    assert cache.next_expiry() == 1010.0
    clock.now += 10
    assert set(cache.fresh()) == {"b"}
    assert cache.next_expiry() == 1030.0
    cache.put("b", [Sample("b", (), 3.0)], stale_after=30)
    assert cache.fresh()["b"][0].value == 3.0


def test_rows_become_samples_with_labels_from_columns() -> None:
    found = rows_to_samples(ORDERS, ["STATUS", "value"], [("completed", Decimal("12")), ("refunded", None)])
    assert found == [Sample("orders_total", (("status", "completed"),), 12.0)]


@pytest.mark.parametrize(("columns", "rows", "message"), [
    (["status", "count"], [("a", 1)], "expected value column 'value' and label columns ['status']"),
    (["status", "value"], [("a", 1), ("a", 2)], "returned two rows with the labels {'status': 'a'}"),
    (["status", "value"], [("a", "many")], "holds 'many', not a number"),
])
def test_rows_that_do_not_fit_the_metric_fail_the_run(columns: list[str], rows: list[tuple[object, ...]],
                                                      message: str) -> None:
    with pytest.raises(JobFailed, match=message.replace("[", r"\[").replace("{", r"\{")):
        rows_to_samples(ORDERS, columns, rows)


def test_dsn_comes_from_the_environment_or_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_DSN", "postgresql://exporter:pw@db/shop")
    url = resolve_url(Database(name="shop", dsn_env="SHOP_DSN"))
    assert (url.drivername, url.password) == ("postgresql+psycopg", "pw")
    (tmp_path / "pw").write_text("from-file\n")
    url = resolve_url(Database(name="shop", dsn="postgresql://exporter@db/shop", password_file=str(tmp_path / "pw")))
    assert url.password == "from-file"
    monkeypatch.setenv("SHOP_DSN", "mysql://db/shop")
    with pytest.raises(SourceDown, match="mysql is not supported"):
        resolve_url(Database(name="shop", dsn_env="SHOP_DSN"))
    no_driver = Databases({"shop": Database(name="shop", dsn="postgresql+pg8000://exporter@db/shop")})
    with pytest.raises(SourceDown, match=r"no driver for postgresql\+pg8000 .* install obsgen\[postgresql\]"):
        no_driver.engine("shop", 10.0)


def test_a_query_returning_more_rows_than_max_series_fails_without_reading_them_all(tmp_path: Path) -> None:
    """A customer id as a label, or a lost GROUP BY, must not take the exporter's memory (1,000,000 rows held
    800 MB) nor flood Prometheus: the run fails, naming the limit."""
    sqlite3.connect(tmp_path / "shop.db").close()
    shop = Database(name="shop", dsn=f"sqlite:///{tmp_path / 'shop.db'}")
    rows = ("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) "
            "SELECT 'customer-' || i AS customer, i AS value FROM c")
    by_customer = BusinessMetric(name="by_customer", type=MetricType.GAUGE, help="By customer.", database="shop",
                                 labels=("customer",), sql=rows.format(n=1_000_000), timeout="60s")
    up = Gauge("up", "Up.", registry=CollectorRegistry())
    assert by_customer.max_series == 1000

    tracemalloc.start()
    with pytest.raises(JobFailed, match=r"^returned more than max_series=1000 rows: aggregate the SQL"):
        QueryJob(by_customer, Databases({"shop": shop}), up).run(time.time())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20e6, f"{peak / 1e6:.0f} MB allocated for a run bounded to 1001 rows"
    exactly = by_customer.model_copy(update={"sql": rows.format(n=3), "max_series": 3})
    assert len(QueryJob(exactly, Databases({"shop": shop}), up).run(time.time())) == 3


def test_a_password_with_an_unencoded_at_sign_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLAlchemy splits the user part at the first '@': the password's tail became the host, which the driver's
    'failed to resolve host' message then logged."""
    monkeypatch.setenv("SHOP_DSN", "postgresql://obsgen:Tr0ub4dor@horse-battery@127.0.0.1:5432/shop")
    with pytest.raises(SourceDown) as refused:
        resolve_url(Database(name="shop", dsn_env="SHOP_DSN"))
    assert str(refused.value) == ("database shop: the DSN's host holds an '@': percent-encode the special characters "
                                  "of its password ('@' as %40, ':' as %3A, '/' as %2F)")
    monkeypatch.setenv("SHOP_DSN", "postgresql://obsgen:Tr0ub4dor%40horse-battery@127.0.0.1:5432/shop")
    url = resolve_url(Database(name="shop", dsn_env="SHOP_DSN"))
    assert (url.password, url.host) == ("Tr0ub4dor@horse-battery", "127.0.0.1")


class ScriptedJob(Job):
    """A job that fails as told, or returns one sample."""

    def __init__(self, name: str, outcome: BaseException | None, metrics: SelfMetrics) -> None:
        super().__init__(ORDERS.model_copy(update={"name": name, "interval": "1h", "stale_after": "2h"}),
                         metrics.database_up.labels(database=name))
        self.outcome = outcome

    def run(self, wall_time: float) -> list[Sample]:
        if self.outcome is not None:
            raise self.outcome
        return [Sample("orders_total", (("status", "ok"),), wall_time)]

    def interrupt(self) -> None:
        """Its runs are not interrupted: they end on their own."""


def test_each_outcome_is_counted_by_status_and_sets_the_source_up_gauge() -> None:
    registry = CollectorRegistry()
    metrics = SelfMetrics.register(registry)
    cache = ResultCache()
    outcomes = {"good": None, "bad_sql": JobFailed("no such table"), "slow": JobTimeout("cancelled"),
                "down": SourceDown("unreachable"), "frozen": SourceNotAnswering("did not answer")}
    jobs = [ScriptedJob(name, outcome, metrics) for name, outcome in outcomes.items()]
    scheduler = Scheduler(jobs, cache, metrics, wall=lambda: 1234.0)

    scheduler.start()
    deadline = time.monotonic() + 10
    while sum(registry.get_sample_value("obsgen_query_duration_seconds_count", {"query": n, "database": ""}) or 0
              for n in outcomes) < len(outcomes) and time.monotonic() < deadline:
        time.sleep(0.01)
    scheduler.stop()

    def runs(name: str, status: str) -> float | None:
        return registry.get_sample_value("obsgen_query_runs_total", {"query": name, "database": "", "status": status})

    assert [runs("good", s) for s in ("success", "error", "timeout")] == [1, 0, 0]
    assert (runs("bad_sql", "error"), runs("slow", "timeout"), runs("down", "error"), runs("frozen", "timeout")) \
        == (1, 1, 1, 1)
    up = {name: registry.get_sample_value("obsgen_database_up", {"database": name}) for name in outcomes}
    assert up == {"good": 1, "bad_sql": 1, "slow": 1, "down": 0, "frozen": 0}
    last_success = registry.get_sample_value("obsgen_query_last_success_timestamp_seconds",
                                             {"query": "good", "database": ""})
    assert last_success == 1234.0
    assert list(cache.fresh()) == ["good"]



class SequencedJob(ScriptedJob):
    """A job whose runs end as told, one outcome after another (None: success), then succeed."""

    def __init__(self, outcomes: list[BaseException | None], metrics: SelfMetrics) -> None:
        super().__init__("flaky", None, metrics)
        self.outcomes = outcomes

    def run(self, wall_time: float) -> list[Sample]:
        self.outcome = self.outcomes.pop(0) if self.outcomes else None
        return super().run(wall_time)


def test_consecutive_failures_count_the_runs_failed_since_the_last_success() -> None:
    """BusinessQueryFailing reads it: two in a row is a failing job, whatever its interval."""
    registry = CollectorRegistry()
    metrics = SelfMetrics.register(registry)
    job = SequencedJob([JobFailed("no such table"), JobTimeout("cancelled"), None, SourceDown("gone")], metrics)
    seen: list[float | None] = []
    hours = itertools.count(step=3600.0)  # every run due at once: the runs follow each other

    def after_run() -> None:
        seen.append(registry.get_sample_value("obsgen_query_consecutive_failures", {"query": "flaky", "database": ""}))

    scheduler = Scheduler([job], ResultCache(), metrics, on_change=after_run, clock=lambda: next(hours))
    assert registry.get_sample_value("obsgen_query_consecutive_failures", {"query": "flaky", "database": ""}) == 0
    scheduler.start()
    deadline = time.monotonic() + 10
    while len(seen) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    scheduler.stop()
    assert seen[:5] == [1, 2, 0, 1, 0]

class BlockedJob(ScriptedJob):
    """A SQL query of the shop database whose runs wait until released."""

    def __init__(self, metrics: SelfMetrics) -> None:
        super().__init__("stuck", None, metrics)
        self.database = "shop"
        self.release = threading.Event()

    def run(self, wall_time: float) -> list[Sample]:
        self.release.wait(30)
        return super().run(wall_time)


def test_runs_due_while_the_previous_one_is_still_going_are_counted_as_missed_and_logged_once(
        caplog: pytest.LogCaptureFixture) -> None:
    """A run holding its job up is visible before it ends, as Prometheus' own rule groups tell missed iterations;
    the count names the query's database, as its failures do, so an operator sees which database is slow."""
    registry = CollectorRegistry()
    metrics = SelfMetrics.register(registry)
    job = BlockedJob(metrics)
    hours = itertools.count(step=3600.0)  # every run due at once: the job is due again while its run waits
    scheduler = Scheduler([job], ResultCache(), metrics, clock=lambda: next(hours))

    def missed() -> float:
        return registry.get_sample_value("obsgen_query_runs_missed_total", {"query": "stuck", "database": "shop"}) or 0

    assert registry.get_sample_value("obsgen_query_runs_missed_total", {"query": "stuck", "database": "shop"}) == 0
    scheduler.start()
    deadline = time.monotonic() + 10
    while missed() < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # read while the run still holds the job: once released, the next run may be held up and said in turn
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    job.release.set()
    scheduler.stop()
    assert missed() >= 3
    assert len(warnings) == 1 and "stuck still running after" in warnings[0], warnings


def test_stop_returns_within_its_timeout_whatever_a_run_in_progress_does(
        caplog: pytest.LogCaptureFixture) -> None:
    """A run that ignores the interruption (a forecast waiting on Prometheus) cannot hold the exporter's exit:
    stop returns while the run still waits (for 30 s, or its release), and says it left it running."""
    registry = CollectorRegistry()
    metrics = SelfMetrics.register(registry)
    job = BlockedJob(metrics)
    scheduler = Scheduler([job], ResultCache(), metrics)
    scheduler.start()
    time.sleep(0.2)  # the run, started at once, is waiting
    scheduler.stop(timeout=0.5)
    ended_before_stop = registry.get_sample_value("obsgen_query_runs_total",
                                                  {"query": "stuck", "database": "shop", "status": "success"})
    job.release.set()
    assert ended_before_stop == 0, "stop waited for the run to end"
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"stuck: {LEFT_RUNNING_AT_STOP} (0.5 s)"]


def test_the_rendered_exposition_drops_a_result_once_it_is_stale() -> None:
    clock = FakeClock()
    cache = ResultCache(clock)
    registry = CollectorRegistry()
    registry.register(business_collector(cache, [ORDERS]))
    registry.register(forecast_collector(cache, []))
    cache.put("orders_total", [Sample("orders_total", (("status", "ok"),), 7.0)], stale_after=5)
    exposition = Exposition(registry, cache, clock)

    assert 'orders_total{status="ok"} 7.0' in exposition.body.decode()
    assert "# TYPE obsgen_forecast gauge" in exposition.body.decode()
    clock.now += 5
    exposition.start()
    exposition.invalidate()
    deadline = time.monotonic() + 10
    while b'status="ok"' in exposition.body and time.monotonic() < deadline:
        time.sleep(0.01)
    exposition.stop()
    families = {f.name: f for f in text_string_to_metric_families(exposition.body.decode())}
    assert families["orders"].type == "counter" and families["orders"].samples == []


def _prediction(**overrides: object) -> Prediction:
    values: dict[str, object] = {
        "labels": {"instance": "db-1"}, "origin": 600.0, "newest": 5.0, "expected": 4.0, "lower": 3.0,
        "upper": 5.5, "at_horizon": 4.5, "zscore": 3.5, "score": math.nan,
        "recommendation": Recommendation("db-1", "disk", 7200.0, "critical", "disk on db-1 full in 2 h"),
    }
    return Prediction(**(values | overrides))  # type: ignore[arg-type]


def test_undefined_values_are_left_out_never_exported_as_nan() -> None:
    forecast = Forecast(name="disk_free", help="Free.", expr="up", season="1d", history="7d")
    found = {s.family: s for s in samples(forecast, _prediction())}
    assert "obsgen_anomaly_score" not in found
    assert found["obsgen_forecast"].labels == labels_of({"instance": "db-1", "forecast": "disk_free"})
    assert found["obsgen_capacity_seconds_to_exhaustion"].value == 7200.0
    assert dict(found["obsgen_recommendation_info"].labels)["message"] == "disk on db-1 full in 2 h"
    registry = CollectorRegistry()
    cache = ResultCache()
    cache.put("disk_free", found.values(), stale_after=60)
    registry.register(forecast_collector(cache, ["disk_free"]))
    assert 'obsgen_forecast_upper{forecast="disk_free",instance="db-1"} 5.5' in generate_latest(registry).decode()


def test_the_report_lists_series_anomalies_and_recommendations() -> None:
    forecast = Forecast(name="disk_free", help="Free.", expr="up", season="1d", history="7d")
    failing = Forecast(name="orders", help="Orders.", expr="up", season=None, history="1d")
    text = render([ForecastReport(forecast, (_prediction(),)),
                   ForecastReport(failing, (), "Prometheus at http://p:9090 unreachable")])
    row = next(line for line in text.splitlines() if line.startswith("disk_free "))
    assert row.split() == ["disk_free", '{instance="db-1"}', "5", "4", "3", "..", "5.5", "3.5", "4.5", "in", "1d"]
    assert 'disk_free {instance="db-1"}: 5 where 4 was expected (z = 3.5)' in text
    assert "[critical] disk on db-1 full in 2 h" in text
    assert "orders     Prometheus at http://p:9090 unreachable" in text


def test_an_exporter_without_forecasts_does_not_export_prometheus_as_down() -> None:
    """An exporter of business metrics alone never queries Prometheus, yet served obsgen_prometheus_up 0 for ever:
    ForecastPrometheusDown (obsgen_prometheus_up == 0 for 5m) fired 5 minutes after every start, and never
    resolved. With forecasts, the gauge is served (0 until Prometheus answers, as the exporter waits for it)."""
    shop = Database(name="shop", dsn="sqlite:////nonexistent/shop.db")
    query = BusinessMetric(name="shop_active_users", type=MetricType.GAUGE, help="Users.", database="shop",
                           sql="SELECT 1 AS value")
    forecast = Forecast(name="active_users", help="Users.", expr="sum(shop_active_users)", season="1d",
                        history="7d")
    alone = build(ExporterConfig(ExporterSettings(), {"shop": shop}, (query,), ()))
    assert b"obsgen_prometheus_up" not in alone.exposition.body
    assert b'obsgen_database_up{database="shop"}' in alone.exposition.body
    both = build(ExporterConfig(ExporterSettings(), {"shop": shop}, (query,), (forecast,)))
    assert b"obsgen_prometheus_up 0.0" in both.exposition.body
