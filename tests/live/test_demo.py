"""The demo application: the definitions' application metrics, a simulated host, and faults that show in both."""

from __future__ import annotations

import itertools
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client import generate_latest

from generator.build import load
from generator.live.demo.app import server
from generator.live.demo.business import CONVERSION, SPELL, WANDER, BusinessModel, Series
from generator.live.demo.faults import Fault, Faults
from generator.live.demo.host import DISK_LABELS, SIMULATED_HOSTS, SimulatedHost, healthy_gauges, metrics_path
from generator.live.demo.shop import Shop
from generator.model import Source
from generator.model.project import Project
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _value(text: str, series: str) -> float:
    found = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert found, f"{series} not exposed"
    return float(found[1])


@pytest.fixture
def demo(project: Project) -> Iterator[tuple[str, Shop]]:
    shop = Shop(project, BusinessModel(epoch=0.0), "api")
    httpd = server(shop, free_port())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", shop
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_every_declared_application_metric_is_exposed(demo: tuple[str, Shop], project: Project) -> None:
    url, shop = demo
    shop.serve("/api/search")
    shop.tick()
    text = requests.get(f"{url}/metrics", timeout=5).text
    exposed = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", text, re.MULTILINE))
    declared = [m for m in project.metrics.values() if m.source is Source.APPLICATION]
    assert len(declared) > 20
    assert [m.name for m in declared if not set(m.series_names()) <= exposed] == []
    assert _value(text, 'http_requests_total{endpoint="/api/search",method="GET",service="api",status="200"}') == 1


def test_before_its_first_request_it_exposes_the_routes_the_definitions_declare_created_at_start(
        project: Project) -> None:
    """A just-started demo with no traffic has each route's 200 series at 0 (initial_labels), so the SLOs'
    SLIAbsent alerts, which watch them, stay silent after `make up` until the first request."""
    text = generate_latest(Shop(project, BusinessModel(epoch=0.0), "api").metrics.registry).decode()
    checkout = 'endpoint="/api/checkout",method="POST",service="api",status="200"'
    assert _value(text, f"http_requests_total{{{checkout}}}") == 0
    assert _value(text, f"http_request_duration_seconds_count{{{checkout}}}") == 0
    assert _value(text, 'http_request_duration_seconds_bucket{endpoint="/api/checkout",le="0.25",method="POST",'
                        'service="api",status="200"}') == 0
    assert 'status="500"' not in text  # a failure's series comes with the first failure


def test_counters_continue_the_history_from_the_shop_opening(demo: tuple[str, Shop]) -> None:
    url, shop = demo
    text = requests.get(f"{url}/metrics", timeout=5).text
    sessions = _value(text, 'sales_sessions_total{user_segment="new"}')
    opened_for = shop.model.sessions_between(0.0, shop._last)
    assert sessions == pytest.approx(0.4 * opened_for, rel=1e-6)


def test_a_scrape_reads_the_counters_as_of_the_scrape_not_of_the_last_tick(demo: tuple[str, Shop]) -> None:
    url, shop = demo
    revenue = next(series for series in shop.model.counters_at(0.0)
                   if series.name == "revenue_total" and series.label_dict == {"product_category": "books"})
    time.sleep(0.3)  # the fixture runs no tick thread: as if it had been starved that long
    began = time.time()  # what Prometheus stamps the sample with
    scraped = _value(requests.get(f"{url}/metrics", timeout=5).text, 'revenue_total{product_category="books"}')
    # the backfilled past ends with the model's value at a moment just before this scrape began: a lower value here
    # would be a counter reset
    assert scraped >= shop.model.counters_at(began)[revenue]


def test_faults_show_in_the_shop_and_the_simulated_host(demo: tuple[str, Shop]) -> None:
    url, shop = demo
    first, second = SIMULATED_HOSTS[:2]
    active = requests.post(f"{url}/faults/memory", json={"seconds": 60, "host": second}, timeout=5).json()["active"]
    assert active[f"memory@{second}"] > 0
    host, other = (requests.get(f"{url}{metrics_path(name)}", timeout=5).text for name in (second, first))
    assert _value(host, "node_memory_MemAvailable_bytes") / _value(host, "node_memory_MemTotal_bytes") < 0.05
    assert _value(other, "node_memory_MemAvailable_bytes") / _value(other, "node_memory_MemTotal_bytes") > 0.5
    requests.post(f"{url}/faults/errors", timeout=5)
    statuses = {shop.serve("/api/products") for _ in range(30)}
    assert statuses == {200, 500}
    assert requests.delete(f"{url}/faults", timeout=5).json()["active"] == {}
    assert requests.post(f"{url}/faults/nonsense", timeout=5).status_code == 404


def test_a_conversion_fault_cuts_conversions_and_revenue() -> None:
    model = BusinessModel(epoch=0.0)
    normal, dropped = model.per_session(), model.per_session(frozenset({Fault.CONVERSION}))
    conversions = Series("sales_conversions_total", (("product_category", "books"), ("user_segment", "new")))
    revenue = Series("revenue_total", (("product_category", "books"),))
    assert dropped[conversions] / normal[conversions] == pytest.approx(0.01 / CONVERSION)
    assert dropped[revenue] < 0.5 * normal[revenue]


def test_sessions_follow_a_compressed_day() -> None:
    model = BusinessModel(epoch=0.0, time_scale=1 / 60)
    day = model.day
    assert day == 1440
    wander = 2 * WANDER * SPELL * model.time_scale * model.sessions_per_second  # the spells' bound, either way
    assert abs(model.sessions_between(0, day) - model.sessions_per_second * day) <= wander
    assert model.sessions_between(0, day / 2) > model.sessions_between(day / 2, day)  # busy half, quiet half


def test_traffic_wanders_between_spells_yet_every_counter_keeps_growing() -> None:
    model = BusinessModel(epoch=0.0, time_scale=1 / 60)
    spell = SPELL * model.time_scale
    per_spell = [model.sessions_between(t, t + spell) for t in range(0, 7 * 1440, int(spell))]
    assert min(per_spell) > 0
    mean = model.sessions_per_second * spell
    swings = [abs(a - b) / mean for a, b in itertools.pairwise(per_spell)]
    assert 0.05 < sorted(swings)[len(swings) // 2] < 2 * WANDER  # a typical spell moves a few percent, boundedly
    assert per_spell == [model.sessions_between(t, t + spell) for t in range(0, 7 * 1440, int(spell))]  # seeded


def test_a_metric_the_demo_does_not_know_is_still_exposed(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(ROOT / "definitions", definitions)
    (definitions / "extra.py").write_text(
        "from generator.model import Metric, MetricType, Source\n"
        "LOGINS = Metric(name='logins_total', type=MetricType.COUNTER, source=Source.APPLICATION,\n"
        "                help='Logins.', labels=('provider',))\n")
    shop = Shop(load(definitions), BusinessModel(epoch=0.0), "api")
    assert "logins_total" in shop.metrics.undriven
    shop.tick()
    assert 'logins_total{provider="demo"}' in generate_latest(shop.metrics.registry).decode()


def test_slow_faults_worsen_steadily_and_stop_when_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # the time module faults reads it from
    faults = Faults()
    name, other = SIMULATED_HOSTS[:2]
    host, bystander = SimulatedHost(faults, name, ramp_seconds=90.0), SimulatedHost(faults, other, ramp_seconds=90.0)
    healthy = _value(host.exposition(), "node_memory_MemAvailable_bytes")
    faults.inject(Fault.MEMORY_LEAK, host=name)
    faults.inject(Fault.DISK_FILL, host=name)
    seen = []
    for _ in range(4):
        clock[0] += 30.0
        text = host.exposition()
        seen.append((_value(text, "node_memory_MemAvailable_bytes"),
                     _value(text, f"node_filesystem_avail_bytes{{{DISK_LABELS}}}")))
    memory, disk = zip(*seen, strict=True)
    assert healthy > memory[0] > memory[1] > memory[2] >= 0  # drains steadily...
    assert max(memory[2:]) < 0.04 * _value(text, "node_memory_MemTotal_bytes")  # ...to 1% (+ wobble) after 90 s
    assert disk[0] > disk[1] > disk[2] == disk[3] == 0.0
    total = _value(text, "node_memory_MemTotal_bytes")
    assert _value(bystander.exposition(), "node_memory_MemAvailable_bytes") > 0.5 * total  # the other host is well
    faults.inject(Fault.MEMORY_LEAK, host=name)  # injecting again does not restart the leak
    assert faults.progress(Fault.MEMORY_LEAK, 90.0, name) == 1.0
    faults.clear()
    assert faults.progress(Fault.DISK_FILL, 90.0, name) == 0.0
    assert _value(host.exposition(), "node_memory_MemAvailable_bytes") > 0.5 * total


def test_a_healthy_host_serves_what_its_backfilled_history_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The history the live stack backfills for a simulated host (healthy_gauges) and what the host serves with no
    fault: one formula, so the history leads into the scraped series without a step."""
    monkeypatch.setattr(time, "time", lambda: 1_000_017.0)  # the time module the host reads its swing from
    text = SimulatedHost(Faults(), SIMULATED_HOSTS[0], ramp_seconds=90.0).exposition()
    backfilled = {series.name: value for series, value in healthy_gauges({SIMULATED_HOSTS[0]: "node"}, 1_000_017.0)
                  .items()}
    assert _value(text, "node_memory_MemAvailable_bytes") == backfilled["node_memory_MemAvailable_bytes"]
    assert _value(text, f"node_filesystem_avail_bytes{{{DISK_LABELS}}}") == backfilled["node_filesystem_avail_bytes"]


def test_a_revenue_decline_lowers_order_value_towards_a_tenth() -> None:
    model = BusinessModel(epoch=0.0)
    revenue = Series("revenue_total", (("product_category", "books"),))
    normal = model.per_session()[revenue]
    assert model.per_session(frozenset({Fault.REVENUE_DECLINE}), decline=0.5)[revenue] == pytest.approx(0.55 * normal)
    assert model.per_session(frozenset({Fault.REVENUE_DECLINE}), decline=1.0)[revenue] == pytest.approx(0.1 * normal)
