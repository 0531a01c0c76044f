"""Business counters only grow: an order changing status (a refund) moves no counter down, so Prometheus never
reads it as a reset (one refund used to make increase() of shop_orders_total count every order ever placed)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Gauge

from generator.exporter.sql import Databases, QueryJob
from generator.model import BusinessMetric, Database, MetricType
from tests.exporter.conftest import shipped_config
from tests.exporter.test_sqlite import expected_samples

NOW = 4_102_444_800.0  # far in the future: every row the demo wrote is in the past


def test_a_refund_moves_no_business_counter_down_and_counts_once(demo_sqlite: str) -> None:
    db = sqlite3.connect(demo_sqlite.removeprefix("sqlite:///"))
    counters = [query for query in shipped_config()["queries"] if query["type"] == "counter"]
    before = {query["name"]: expected_samples(db, query, NOW) for query in counters}
    refunded = [row[0] for row in db.execute("SELECT id FROM orders WHERE status = 'completed' LIMIT 3")]
    db.execute(f"UPDATE orders SET status = 'refunded' WHERE id IN ({', '.join(map(str, refunded))})")
    after = {query["name"]: expected_samples(db, query, NOW) for query in counters}
    went_down = [(name, dict(labels), value, after[name].get(labels))
                 for name, samples in before.items() for labels, value in samples.items()
                 if after[name].get(labels, 0.0) < value]
    assert went_down == []
    assert before["shop_orders_total"] == after["shop_orders_total"]  # orders placed: a refund places none
    status = frozenset({("status", "refunded")})
    assert after["shop_orders_reversed_total"][status] == before["shop_orders_reversed_total"][status] + 3


def _orders_job(path: Path) -> QueryJob:
    metric = BusinessMetric(name="shop_revenue_total", type=MetricType.COUNTER, help="Revenue.", database="shop",
                            labels=("category",),
                            sql="SELECT category, SUM(amount) AS value FROM order_items GROUP BY category")
    databases = Databases({"shop": Database(name="shop", dsn=f"sqlite:///{path}")})
    return QueryJob(metric, databases, Gauge("up", "Up.", registry=CollectorRegistry()))


def _served(job: QueryJob) -> dict[str, float]:
    return {dict(sample.labels)["category"]: sample.value for sample in job.run(NOW)}


def test_a_business_counter_whose_sql_total_goes_down_is_served_without_a_reset(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Rows deleted (a retention purge, an erased customer) or a float SUM summed in another order made the SQL
    total go down: Prometheus reads any decrease as a counter reset and counts the whole new total as increase
    (promtool: 10 a minute from 1000, 300 purged at 30m, increase(...[1h]) at 40m read 1407 for 400 sold). The
    exporter serves the decrease as no change, and every later increase as it is; it says so once, naming the
    definition."""
    db = sqlite3.connect(tmp_path / "shop.db")
    db.execute("CREATE TABLE order_items (category TEXT, amount REAL)")
    db.executemany("INSERT INTO order_items VALUES (?, ?)", [("books", 10.0)] * 100 + [("games", 5.0)])
    db.commit()
    job = _orders_job(tmp_path / "shop.db")
    assert _served(job) == {"books": 1000.0, "games": 5.0}
    db.execute("DELETE FROM order_items WHERE rowid IN (SELECT rowid FROM order_items WHERE category = 'books' "
               "LIMIT 30)")  # purged
    db.commit()
    with caplog.at_level(logging.WARNING, logger="obsgen.exporter"):
        assert _served(job) == {"books": 1000.0, "games": 5.0}
        db.execute("INSERT INTO order_items VALUES ('books', 7.0)")
        db.commit()
        assert _served(job) == {"books": 1007.0, "games": 5.0}  # what was sold since counts, the purge never
        db.execute("DELETE FROM order_items WHERE category = 'books' AND rowid IN (SELECT rowid FROM order_items "
                   "WHERE category = 'books' LIMIT 1)")
        db.commit()
        assert _served(job) == {"books": 1007.0, "games": 5.0}
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 1, warned
    assert "shop_revenue_total{category=\"books\"} went down from 1000 to 700" in warned[0]


def test_a_counter_held_back_after_a_large_decrease_is_never_served_an_ulp_lower(tmp_path: Path) -> None:
    """A decrease to less than half the total (a purge of most rows, a restore of an old backup, an order line
    edited) was held back as value + (before - value), which floats round: 505.95 then 177.79 served
    505.94999999999993, a decrease Prometheus reads as a reset, counting the whole total as increase."""
    db = sqlite3.connect(tmp_path / "shop.db")
    db.execute("CREATE TABLE order_items (category TEXT, amount REAL)")
    db.execute("INSERT INTO order_items VALUES ('books', 505.95)")
    db.commit()
    job = _orders_job(tmp_path / "shop.db")
    assert _served(job) == {"books": 505.95}
    db.execute("UPDATE order_items SET amount = 177.79")  # the order line edited
    db.commit()
    assert _served(job) == {"books": 505.95}  # no change, to the last bit


def test_the_warning_of_a_float_sum_rounded_lower_tells_the_two_totals_apart(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A float SUM added up in another order comes out an ulp lower: the warning read 'went down from 505.95 to
    505.95', naming no decrease at all."""
    db = sqlite3.connect(tmp_path / "shop.db")
    db.execute("CREATE TABLE order_items (category TEXT, amount REAL)")
    db.execute("INSERT INTO order_items VALUES ('books', 505.95)")
    db.commit()
    job = _orders_job(tmp_path / "shop.db")
    _served(job)
    db.execute("UPDATE order_items SET amount = 505.94999999999993")  # as a SUM summed in another order
    db.commit()
    with caplog.at_level(logging.WARNING, logger="obsgen.exporter"):
        assert _served(job) == {"books": 505.95}
    (warned,) = caplog.messages
    assert "went down from 505.95 to 505.94999999999993 " in warned, warned
