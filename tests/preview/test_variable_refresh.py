"""A served page's query variables run their queries when Grafana 12 would: every one when the page loads (refresh 0
too: scenes runs each on activation, whatever its refresh), and on each auto-refresh only the refresh=2 ones ("on
time range change"); each takes its saved value when that is one of its options, else its first option. Counted at
a real Prometheus, by its own prometheus_http_requests_total of the label values API."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client import CollectorRegistry, Gauge
from websockets.sync.client import connect

from tests.preview.conftest import scraping, serving, write_dashboard
from tests.preview_spec import page_spec

METRIC = "preview_refresh_thing"
KINDS = ("a", "b", "c")
LABEL_VALUES = re.compile(r'^prometheus_http_requests_total\{[^}]*handler="/api/v1/label/:name/values"[^}]*\} (\S+)$',
                          re.MULTILINE)


def _variable(name: str, refresh: int | None, current: str, **options: Any) -> dict[str, Any]:
    found = {"type": "query", "name": name, "query": f"label_values({METRIC}, kind)",
             "datasource": {"type": "prometheus", "uid": "prometheus"}, "current": {"text": current, "value": current},
             **options}
    return found if refresh is None else {**found, "refresh": refresh}


DOCUMENT: dict[str, Any] = {
    "uid": "refreshing", "title": "Refreshing", "refresh": "1s", "time": {"from": "now-5m", "to": "now"},
    "templating": {"list": [
        _variable("never", 0, "c", options=[{"text": "saved", "value": "saved", "selected": True}]),
        _variable("absent", None, "a"),
        _variable("load", 1, "b"),
        _variable("moving", 2, "gone"),  # not an option: its first option, "a"
    ]},
    "panels": [{"type": "timeseries", "id": 1, "title": "Things", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 6},
                "targets": [{"refId": "A", "expr": f'{METRIC}{{kind=~"$never|$load|$moving"}}'}]}]}


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[str]:
    """A real prometheus scraping one exporter of three `kind`s every second."""
    registry = CollectorRegistry()
    gauge = Gauge(METRIC, "Things the test sets.", ["kind"], registry=registry)
    for kind in KINDS:
        gauge.labels(kind).set(1)
    with scraping(registry, tmp_path) as url:
        while not requests.get(f"{url}/api/v1/query", params={"query": METRIC}, timeout=5).json()["data"]["result"]:
            time.sleep(0.2)
        yield url


@pytest.fixture
def base(prometheus: str, tmp_path: Path) -> Iterator[str]:
    """`obsgen preview --serve` of the dashboard; yields its base URL."""
    write_dashboard(tmp_path / "grafana", DOCUMENT)
    with serving(tmp_path / "grafana", prometheus) as url:
        yield url


def _asked(prometheus: str) -> float:
    """Label values requests Prometheus has answered, as its own /metrics counts them."""
    return sum(float(count) for count in LABEL_VALUES.findall(requests.get(f"{prometheus}/metrics", timeout=5).text))


def test_a_load_runs_every_variable_and_a_push_only_those_refreshed_on_time_range_change(prometheus: str,
                                                                                        base: str) -> None:
    before = _asked(prometheus)
    page = requests.get(f"{base}/d/refreshing", timeout=30)
    assert page.status_code == 200
    loaded = _asked(prometheus)
    assert loaded - before == 4  # refresh 0, none, 1 and 2 alike
    spec = page_spec(page.text)
    assert {v["label"]: v["value"] for v in spec["variables"]} == {
        "never": "c", "absent": "a", "load": "b", "moving": "a"}  # saved when an option, else the first option
    with connect("ws" + base.removeprefix("http") + spec["live"]["path"], open_timeout=10) as socket:
        pushed = [json.loads(socket.recv(timeout=10)) for _ in range(2)]
    assert all(push["data"]["1"]["series"] for push in pushed)
    assert _asked(prometheus) - loaded == 2  # one a push: `moving` alone
