"""Business counters only grow: an order changing status (a refund) moves no counter down, so Prometheus never
reads it as a reset (one refund used to make increase() of shop_orders_total count every order ever placed)."""

from __future__ import annotations

import sqlite3

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
