"""The demo draws a project's own label values (newuser52 P1, P2): its Metrics' initial_labels and its Services,
so its selectors (an SLO's input, service="orders") find series, with a stock 5xx value kept for `code=~"5.."`."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import load
from generator.live.demo_history import series_for
from tests.conftest import DEMO_NOW, ROOT

SHOP = '''
from generator.model import SLO, Metric, MetricType, RatioSLI, ScrapeJob, Service, Source

JOBS = [ScrapeJob(name="orders", source=Source.APPLICATION, targets=("orders:8080",))]
http_requests = Metric(name="http_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                       help="HTTP requests served.", labels=("service", "route", "code"),
                       initial_labels=({"service": "orders", "route": "/orders", "code": "200"},
                                       {"service": "payments", "route": "/pay", "code": "200"}))
http_duration = Metric(name="http_request_duration_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION,
                       unit="seconds", help="Time to serve an HTTP request.", labels=("service", "route"),
                       buckets=(0.1, 1))
ORDERS = Service(name="orders")
PAYMENTS = Service(name="payments")
SLOS = [SLO(service="orders", name="availability", objective=99.5, window="30d", description="Orders answered",
            sli=RatioSLI(errors='http_requests_total{service="orders",code=~"5.."}',
                         total='http_requests_total{service="orders"}',
                         error_labels={"code": "500"}, good_labels={"code": "200"}))]
'''


def test_the_demo_draws_the_declared_services_and_the_slo_input_exists(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    (tmp_path / "definitions/shop.py").write_text(SHOP)
    project = load(tmp_path / "definitions")
    drawn = series_for({"http_requests_total", "http_request_duration_seconds_bucket"}, project, DEMO_NOW)
    requests = [labels for name, labels, _ in drawn if name == "http_requests_total"]
    assert {labels["service"] for labels in requests} == {"orders", "payments"}
    assert {labels["route"] for labels in requests} == {"/orders", "/pay"}
    assert {labels["code"] for labels in requests} == {"200", "500"}  # 500: the SLO's errors select code=~"5.."
    assert {labels["service"] for name, labels, _ in drawn if name.startswith("http_request_duration")} \
        == {"orders", "payments"}  # no initial_labels: the Services
