"""A notification's link (viewPanel, var-instance=<the alert's instance>) with a from/to opens the served panel on
that instance alone, over that range, against a real Prometheus scraping two instances."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Gauge

from generator.preview.timerange import written
from tests.preview.conftest import scraped, scraping
from tests.preview_spec import served

SCRAPE = 1.0
DOCUMENT: dict[str, Any] = {
    "uid": "busy", "title": "Busy", "time": {"from": "now-5m", "to": "now"},
    "templating": {"list": [{"type": "query", "name": "instance", "query": "label_values(preview_link_busy, instance)",
                             "multi": True, "includeAll": True, "allValue": ".*",
                             "current": {"text": ["All"], "value": ["$__all"]}}]},
    "panels": [{"type": "timeseries", "id": 1, "title": "Busy", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                "targets": [{"refId": "A", "expr": 'preview_link_busy{instance=~"$instance"}',
                             "legendFormat": "{{instance}}"}]}]}


@pytest.fixture
def two_instances(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A real prometheus scraping two exporters every second; yields its URL and the two instances."""
    registries = [CollectorRegistry(), CollectorRegistry()]
    for value, registry in enumerate(registries, 1):
        Gauge("preview_link_busy", "Busy share the test sets.", registry=registry).set(value)
    with scraping({"test": registries}, tmp_path) as (url, targets):
        yield url, targets["test"]


def _panel(url: str, target: str) -> dict[str, Any]:
    status, spec = served(DOCUMENT, url, target, SCRAPE)
    assert status == 200
    return spec


def test_a_notification_link_shows_only_its_instance_over_its_range(two_instances: tuple[str, list[str]]) -> None:
    url, (wanted, other) = two_instances
    while scraped(url, "preview_link_busy") < 2:
        time.sleep(0.2)
    start = round(time.time() * 1000)  # a link's epoch milliseconds
    end = start + round(3 * SCRAPE * 1000)
    time.sleep(4 * SCRAPE)  # four scrapes of each, in the range asked for
    spec = _panel(url, f"/d/busy/busy?orgId=1&viewPanel=panel-1&from={start}&to={end}&var-instance={wanted}"
                       "&refresh=10s")
    data = spec["data"]["1"]
    assert [series["name"] for series in data["series"]] == [wanted], data
    assert data["series"][0]["values"][-1] == 1
    assert data["time"][0] == start / 1000 and data["time"][-1] <= end / 1000, (start, end, data["time"])
    assert len(data["time"]) == 4  # one step a second: the range's own, not the dashboard's 5 minutes
    assert spec["rangeText"] == f"{written(start / 1000)} to {written(end / 1000)}" and spec["note"] == ""
    everything = _panel(url, "/d/busy/busy?viewPanel=panel-1")["data"]["1"]
    assert sorted(series["name"] for series in everything["series"]) == sorted([wanted, other])
