"""A counter read from a database counts rows by a state they move out of.

`SELECT status, COUNT(*) FROM orders GROUP BY status` goes down for `completed` when an order is refunded:
Prometheus reads any decrease of a counter as a reset, so one refund makes increase() count every completed order
ever placed again (a spike of the whole history, in every rate, forecast and alert over it).

    BusinessMetric(name="shop_orders_total", labels=("status",), sql="SELECT status, COUNT(*) ... GROUP BY status")

Fix: count what only grows: every order placed (no state label), and each terminal state on its own
(`WHERE status IN ('refunded', 'cancelled')`, states no row leaves); or a gauge for how many are in each state now.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import BusinessMetric, MetricType

CODE = "SM003"
NAME = "counter-state-labels"
LEVEL = Level.WARNING
STATE_LABELS = frozenset({"status", "state", "stage", "phase", "step"})
WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)


def _restricted(sql: str, label: str) -> bool:
    """Whether the query keeps only listed values of the label's column (states no row leaves): the label compared
    after its first WHERE (one after a later WHERE is after the first too; `WHERE.*label`, tried from each WHERE,
    was quadratic in them)."""
    where = WHERE.search(sql)
    compared = re.compile(rf"\b{label}\s*(=|\bIN\b)", re.IGNORECASE)
    return where is not None and compared.search(sql, where.end()) is not None


def check(context: Context) -> Iterator[Finding]:
    for metric in context.project.all(BusinessMetric):
        if metric.type is not MetricType.COUNTER:
            continue
        for label in sorted(STATE_LABELS & set(metric.labels)):
            if not _restricted(metric.sql, label):
                yield Finding(metric, f"counter {metric.name} counts rows by {label!r}: a row changing {label} "
                                      "makes its old value go down, which Prometheus reads as a counter reset; count "
                                      "what only grows (all rows, each terminal state apart) or make it a gauge",
                              ("labels",))
