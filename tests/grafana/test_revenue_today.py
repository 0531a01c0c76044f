"""The executive dashboard's Revenue Today (the plan's revenue_daily): the day's completed orders as the shop's database
sums them, a number Prometheus answers at any instant, midnight included."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from generator.checks.lint.dashboard_json import panels
from generator.core.grafana_promql import variable_names
from generator.exporter.sql import bind_values
from generator.preview.queries import requests_for
from tests.exporter.conftest import shipped_config
from tests.servers import promtool_test

DAY = 86_400
MIDNIGHT = 2 * DAY
"""1970-01-03 00:00 UTC: promtool's clock starts at the Unix epoch, so its `2d` is a midnight."""


def _revenue_today(compiled: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    board = next(document for document in compiled.values() if document["title"] == "Executive")
    return board, next(panel for panel in panels(board)
                       if any("shop_revenue_today" in target.get("expr", "") for target in panel.get("targets", [])))


def test_revenue_today_is_answered_at_midnight_and_reads_the_day_so_far(compiled: dict[str, dict[str, Any]],
                                                                        tmp_path: Path) -> None:
    """Grafana's query at 00:00 is one Prometheus answers (increase(revenue_total[$__range]) over today so far was a
    refused [0s] then), and reads what the exporter served: the last day's total just before, 0 from the first
    run after midnight."""
    board, panel = _revenue_today(compiled)
    asked = {}
    for now in (MIDNIGHT - 60, MIDNIGHT, MIDNIGHT + 60):
        request, = requests_for(board, panel, {}, float(now), page_width=1600, scrape=15.0)
        assert request.instant and not variable_names(request.expr)  # nothing left unfilled
        asked[now] = request.expr
    # the exporter's runs, a minute apart: 100 of revenue a minute, back to 0 at the first run of the day
    served = {"series": 'shop_revenue_today{job="obsgen-exporter",database="shop"}',
              "values": " ".join(str(100 * (minute % 1440)) for minute in range(2 * 1440 + 2))}
    expected = {MIDNIGHT - 60: 100 * 1439, MIDNIGHT: 0, MIDNIGHT + 60: 100}
    test = {"name": "Revenue Today around midnight", "interval": "1m", "input_series": [served],
            "promql_expr_test": [{"expr": expr, "eval_time": f"{now}s",
                                  "exp_samples": [{"labels": "{}", "value": expected[now]}]}
                                 for now, expr in asked.items()]}
    result = promtool_test({"tests": [test]}, tmp_path / "revenue-today.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_days_revenue_counts_todays_completed_orders_only() -> None:
    """The shipped SQL on the shop's schema: an order of yesterday, today's refunded and cancelled ones left out;
    :today is the run's 00:00 UTC, so a run at midnight counts nothing yet."""
    query = next(entry for entry in shipped_config()["queries"] if entry["name"] == "shop_revenue_today")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, created_at REAL, status TEXT)")
    db.execute("CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER, amount REAL)")

    def place(*orders: tuple[int, float, str, float]) -> None:
        db.executemany("INSERT INTO orders VALUES (?, ?, ?)", [order[:3] for order in orders])
        db.executemany("INSERT INTO order_items (order_id, amount) VALUES (?, ?)",
                       [(order[0], order[3] / 2) for order in orders for _ in range(2)])

    def revenue(at: float) -> float:
        value, = db.execute(query["sql"], bind_values(at)).fetchone()
        return float(value)

    assert revenue(MIDNIGHT - 3) == 0.0  # no order yet: 0, not nothing
    place((1, MIDNIGHT - 1.5, "completed", 40.0))
    assert revenue(MIDNIGHT - 1) == revenue(MIDNIGHT - 0.5) == 40.0  # yesterday's, until midnight
    place((2, MIDNIGHT, "completed", 25.0))
    assert revenue(MIDNIGHT + 0.25) == 25.0  # placed at 00:00:00: today's; yesterday's no longer
    place((3, MIDNIGHT + 600.5, "completed", 14.0), (4, MIDNIGHT + 700, "refunded", 180.0),
          (5, MIDNIGHT + 800, "cancelled", 60.0))
    assert revenue(MIDNIGHT + 3600) == 39.0  # the refunded and the cancelled order are no revenue


def test_its_title_says_whose_day_it_is_and_its_description_the_minutes_after_midnight(
        compiled: dict[str, dict[str, Any]]) -> None:
    """The exporter's day starts at 00:00 UTC, not at the midnight of a shop in Madrid reading "today" as its own
    (one or two hours apart): the big number's title says so, not only its hover text; and until the exporter's first
    run of the day (then a scrape) the number is the last day's total, which the description tells."""
    _, panel = _revenue_today(compiled)
    assert bind_values(MIDNIGHT + 3600)["today"] == MIDNIGHT  # 00:00 UTC of 1970-01-03
    assert panel["title"] == "Revenue Today (UTC)"
    assert "the last day's total" in panel["description"], panel["description"]
