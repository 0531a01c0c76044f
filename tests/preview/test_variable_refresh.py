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


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real prometheus scraping one exporter of three `kind`s every second."""
    registry = CollectorRegistry()
    gauge = Gauge(METRIC, "Things the test sets.", ["kind"], registry=registry)
    for kind in KINDS:
        gauge.labels(kind).set(1)
    with scraping({"test": [registry]}, tmp_path_factory.mktemp("refresh")) as (url, _):
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


def test_a_push_runs_again_the_variables_naming_one_whose_value_changed(prometheus: str) -> None:
    """_addDependentVariablesToUpdateQueue: `same` (refresh 1) names `kind` (refresh 2), whose saved value is no
    option: the push validates kind to its first option, so same runs too; `other` (refresh 1) does not."""
    from generator.preview.prometheus import Prometheus
    from generator.preview.source import DashboardFile
    from generator.preview.variables import on_time_range_change, resolve

    document = {"uid": "chain", "title": "Chain", "time": {"from": "now-5m", "to": "now"}, "templating": {"list": [
        _variable("kind", 2, "gone"),
        {**_variable("same", 1, "gone"), "query": f'label_values({METRIC}{{kind="$kind"}}, kind)'},
        _variable("other", 1, "gone")]}}
    dashboard = DashboardFile(Path("chain.json"), "Tests", document)
    client = Prometheus(prometheus)
    try:
        before = _asked(prometheus)
        pushed = resolve(client, dashboard, dashboard.variable_defaults(), frozenset(), None, time.time(), 1.0,
                         on_time_range_change(dashboard))
        assert _asked(prometheus) - before == 2
        assert {v["name"]: v["current"]["value"] for v in pushed.dashboard.document["templating"]["list"]} == {
            "kind": "a", "same": "a", "other": "gone"}
        assert pushed.values["same"] == "a"
        before = _asked(prometheus)
        again = resolve(client, pushed.dashboard, pushed.values, frozenset(), None, time.time(), 1.0,
                        on_time_range_change(pushed.dashboard))
        assert _asked(prometheus) - before == 1 and again.values == pushed.values  # kind kept "a": same stays
    finally:
        client.close()
