"""A page draws its time axes in the zone its range was computed in (dashboard_time.clock: the dashboard's
zone, UTC for "browser"), whatever the zone of the browser drawing it: `obsgen preview` without a time zone
override draws in the machine's zone, and a "browser" dashboard's `/d` rounds at UTC midnight."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.preview.browser import Chromium
from generator.preview.page import PAGE_WIDTH, html
from generator.preview.source import DashboardFile

DAY = datetime(2026, 3, 4, tzinfo=UTC).timestamp()


def _page(tmp_path: Path, zone: str) -> Path:
    """One day's time series, every 10 minutes, on a dashboard in zone."""
    times = [DAY + 600 * k for k in range(145)]
    document: dict[str, Any] = {"uid": "zoned", "title": "Zoned", "timezone": zone, "panels": [
        {"type": "timeseries", "id": 1, "title": "T", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8}}]}
    data = {"1": {"time": times, "series": [{"refId": "A", "name": "a", "labels": {}, "values": [1] * len(times)}],
                  "errors": []}}
    page = tmp_path / f"{zone.replace('/', '-')}.html"
    page.write_text(html(DashboardFile(Path("zoned.json"), "Tests", document), data))
    return page


def _time_labels(browser: Chromium, page: Path, browser_zone: str) -> list[str]:
    tab = browser.tab()
    tab.load(page.as_uri(), PAGE_WIDTH, timezone=browser_zone)
    return list(tab.evaluate("window.previewCharts[0].axes[0]._values.filter((v) => v != null)"))


@pytest.mark.parametrize(("zone", "drawn_in"), [("browser", "UTC"), ("", "UTC"), ("Asia/Kolkata", "Asia/Kolkata")])
def test_the_time_axis_is_drawn_in_the_zone_the_range_rounds_in(browser: Chromium, tmp_path: Path, zone: str,
                                                                drawn_in: str) -> None:
    page = _page(tmp_path, zone)
    expected = _time_labels(browser, page, drawn_in)
    for machine in ("UTC", "America/Los_Angeles", "Asia/Kolkata"):
        assert _time_labels(browser, page, machine) == expected, machine
    assert ("12am" in expected[0]) == (drawn_in == "UTC")  # UTC midnight starts a UTC axis
