"""`obsgen preview --serve` in a real browser: data Prometheus scrapes shows on the page within one refresh."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client import CollectorRegistry, Gauge

from generator.preview.browser import Chromium
from generator.preview.page import PAGE_WIDTH
from tests.preview.conftest import scraping, serving, write_dashboard

REFRESH = 2.0
QUERY_SLACK = 1.0
"""Seconds a push's Prometheus query may take on a loaded machine."""


@pytest.fixture
def scraped_gauge(tmp_path: Path) -> Iterator[tuple[Gauge, str]]:
    """A gauge the test sets, and a real prometheus scraping it every second."""
    registry = CollectorRegistry()
    gauge = Gauge("preview_test_orders", "Orders the test says there are.", registry=registry)
    gauge.set(7)
    with scraping({"test": [registry]}, tmp_path) as (url, _):
        yield gauge, url


@pytest.fixture
def served(scraped_gauge: tuple[Gauge, str], tmp_path: Path) -> Iterator[str]:
    """`obsgen preview --serve` of a dashboard refreshing every 2 s; yields its page URL."""
    write_dashboard(tmp_path / "grafana", {
        "uid": "orders", "title": "Orders", "refresh": f"{REFRESH:g}s", "time": {"from": "now-5m", "to": "now"},
        "panels": [{"type": "stat", "id": 1, "title": "Orders", "gridPos": {"x": 0, "y": 0, "w": 8, "h": 5},
                    "fieldConfig": {"defaults": {"unit": "none", "decimals": 0}},
                    "targets": [{"refId": "A", "expr": "preview_test_orders", "instant": True}]}]})
    with serving(tmp_path / "grafana", scraped_gauge[1]) as base:
        yield f"{base}/d/orders"


def _prometheus_has(url: str, value: float) -> bool:
    answer = requests.get(f"{url}/api/v1/query", params={"query": "preview_test_orders"}, timeout=5).json()
    return bool(answer["data"]["result"]) and float(answer["data"]["result"][0]["value"][1]) == value


def test_a_served_page_shows_new_data_within_one_refresh_interval(
        scraped_gauge: tuple[Gauge, str], served: str) -> None:
    gauge, prometheus = scraped_gauge
    while not _prometheus_has(prometheus, 7):
        time.sleep(0.2)
    with Chromium() as browser:
        tab = browser.tab()
        tab.load(served, PAGE_WIDTH)
        shown = "document.querySelector('.stat .value').textContent"
        assert tab.evaluate(shown) == "7"
        gauge.set(42)
        while not _prometheus_has(prometheus, 42):
            time.sleep(0.05)
        changed = time.time()
        while tab.evaluate(shown) != "42" and time.time() - changed < 3 * REFRESH:
            time.sleep(0.05)
        assert tab.evaluate(shown) == "42"
        pushed = tab.evaluate("window.previewPushes.at(-1)")
        # The push that carried the new value left within one refresh of Prometheus having it (plus its query).
        assert pushed["sent"] - changed <= REFRESH + QUERY_SLACK, pushed
        painted = "document.documentElement.dataset.updates"  # set two animation frames after the value is drawn
        while tab.evaluate(painted) is None and time.time() - changed < 3 * REFRESH:
            time.sleep(0.05)
        assert tab.evaluate(painted) is not None
        assert tab.errors == []
