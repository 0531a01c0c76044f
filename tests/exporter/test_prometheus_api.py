"""How the forecasts' Prometheus client tells a slow query from a Prometheus it cannot reach (a fake Prometheus)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.exporter.jobs import JobFailed, JobTimeout, SourceDown
from generator.exporter.prometheus_api import PrometheusClient
from tests.servers import answer_json, free_port

SUCCESS = (200, {"status": "success", "data": {"resultType": "matrix", "result": []}})


@contextmanager
def fake_prometheus(status: int, body: dict[str, object], delay: float = 0.0) -> Iterator[str]:
    """A Prometheus on loopback answering every query_range with `body` after `delay` seconds; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)
            answer_json(self, status, body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def query(url: str, timeout: float = 5.0) -> object:
    """One query_range's outcome: its series, or the failure it raised."""
    try:
        return PrometheusClient(url, timeout).query_range("up", 0, 60, 60)
    except JobFailed as error:
        return error


def test_a_query_prometheus_is_slow_to_answer_is_a_timeout_not_an_outage() -> None:
    """obsgen_prometheus_up means Prometheus cannot be reached: ForecastPrometheusDown must not fire because one
    forecast's PromQL is heavy."""
    with fake_prometheus(*SUCCESS, delay=3.0) as url:
        outcome = query(url, timeout=1.0)
    assert type(outcome) is JobTimeout, outcome
    assert str(outcome) == "Prometheus did not answer within 1s"


@pytest.mark.parametrize("error_type", ["timeout", "canceled"])
def test_a_query_prometheus_gave_up_on_is_a_timeout_with_its_reason(error_type: str) -> None:
    body = {"status": "error", "errorType": error_type, "error": "query timed out in expression evaluation"}
    with fake_prometheus(503, body) as url:
        outcome = query(url)
    assert type(outcome) is JobTimeout, outcome
    assert str(outcome) == "Prometheus gave up on the query: query timed out in expression evaluation"


def test_a_prometheus_that_cannot_be_reached_or_fails_is_down_and_says_why() -> None:
    refused = query(f"http://127.0.0.1:{free_port()}")
    assert type(refused) is SourceDown and "unreachable: ConnectionError" in str(refused), refused
    with fake_prometheus(503, {"status": "error", "errorType": "unavailable", "error": "TSDB not ready"}) as url:
        failing = query(url)
    assert type(failing) is SourceDown and str(failing).endswith("answered HTTP 503: TSDB not ready"), failing
    with fake_prometheus(*SUCCESS) as url:
        assert query(url) == []
