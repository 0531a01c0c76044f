"""How the forecasts' Prometheus client tells a slow query from a Prometheus it cannot reach (a fake Prometheus)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from generator.exporter.jobs import JobFailed, JobTimeout, SourceDown
from generator.exporter.prometheus_api import PrometheusClient
from tests.exporter.conftest import ROOT, SHIPPED_CONFIG, running_exporter, write_config
from tests.servers import answer_json, free_port, serving

SUCCESS = (200, {"status": "success", "data": {"resultType": "matrix", "result": []}})


@contextmanager
def fake_prometheus(status: int, body: Mapping[str, object], delay: float = 0.0) -> Iterator[str]:
    """A Prometheus on loopback, ready, answering every query_range with `body` after `delay` seconds; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/-/ready":
                answer_json(self, 200, {})
                return
            time.sleep(delay)
            answer_json(self, status, body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    with serving(Handler) as url:
        yield url


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


@pytest.mark.parametrize("command", [["exporter"], ["forecast", "report"]])
@pytest.mark.parametrize("given", ["option", "environment"])
def test_a_prometheus_url_with_a_password_is_refused_on_the_command_line_as_in_the_config(
        command: list[str], given: str) -> None:
    url = "http://obsgen:hunter2-S3cret@127.0.0.1:9"
    option = ["--prometheus-url", url] if given == "option" else []
    result = subprocess.run([sys.executable, "-m", "generator", *command, "--config", str(SHIPPED_CONFIG), *option],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PROMETHEUS_URL": url if given == "environment" else ""})
    assert result.returncode == 2, result.stderr
    assert result.stderr == ("error: --prometheus-url / PROMETHEUS_URL: prometheus_url inlines a password in a "
                             "URL's user part\n")


def test_logs_and_failures_never_show_a_prometheus_urls_user_part(caplog: pytest.LogCaptureFixture) -> None:
    """A user part can still reach the client (a library caller, a user without a password): never print it."""
    with fake_prometheus(503, {"status": "error", "errorType": "unavailable", "error": "not ready"}) as url:
        client = PrometheusClient(url.replace("http://", "http://obsgen:hunter2-S3cret@"), 5.0)
        with caplog.at_level(logging.INFO, logger="obsgen.exporter"):
            assert client.wait_ready(lambda seconds: False)
        failure = query(client.url)
    assert str(failure) == f"Prometheus at {url} answered HTTP 503: not ready"
    assert caplog.messages[0].startswith(f"connected to Prometheus at {url} after")


def test_two_metrics_with_equal_labels_are_two_histories() -> None:
    """`a or b` returns series that differ only by __name__: each keeps its own points, and its name."""
    result = [{"metric": {"__name__": name, "mountpoint": "/"}, "values": [[0, value], [60, value]]}
              for name, value in (("avail_bytes", "10"), ("size_bytes", "100"))]
    with fake_prometheus(200, {"status": "success", "data": {"resultType": "matrix", "result": result}}) as url:
        histories = query(url)
    assert isinstance(histories, list)
    assert [(h.labels, h.values.tolist()) for h in histories] == [
        ({"mountpoint": "/"}, [10.0, 10.0]), ({"mountpoint": "/"}, [100.0, 100.0])]
    assert [h.name for h in histories] == ["avail_bytes", "size_bytes"]


def test_sigterm_does_not_wait_for_a_forecast_prometheus_is_slow_to_answer(tmp_path: Path) -> None:
    """Its result could no longer be served: waiting for it made a stop take Scheduler.stop's whole 10 s, past
    `docker stop`'s grace period."""
    forecast = {"name": "slow", "defined_at": "definitions/test.py:1", "help": "Slow.", "expr": "up", "step": "1m",
                "season": "1h", "history": "1d", "horizon": "1h", "timeout": "60s"}
    config = write_config(tmp_path / "exporter.yml", {"exporter": {"prometheus_timeout": "60s"}, "databases": [],
                                                      "queries": [], "forecasts": [forecast]}, interval="2m")
    with fake_prometheus(*SUCCESS, delay=40.0) as url, \
            running_exporter(config, tmp_path, prometheus_url=url) as exporter:
        deadline = time.monotonic() + 30
        while "connected to Prometheus" not in exporter.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the forecast's query_range is in flight, for 40 s
        exporter.stop()
    exporter.assert_interrupted_at_stop("slow")


def test_forecasts_waiting_for_a_prometheus_that_does_not_answer_say_so_once(caplog: pytest.LogCaptureFixture) -> None:
    """The exporter of a new project waited without a word for http://prometheus:9090 (ExporterSettings' default,
    the compose stack's name), its forecasts never run: one line names the address it waits for."""
    client = PrometheusClient(f"http://obsgen:hunter2-S3cret@127.0.0.1:{free_port()}", 1.0)
    asked: list[float] = []

    def sleep(seconds: float) -> bool:  # stops after the third try
        asked.append(seconds)
        return len(asked) == 3

    with caplog.at_level(logging.INFO, logger="obsgen.exporter"):
        assert not client.wait_ready(sleep)
    assert len(asked) == 3
    (said,) = caplog.messages
    assert said.startswith(f"forecasts wait for Prometheus at {client.shown} (/-/ready: no answer: ConnectionError)")
    assert "hunter2" not in said and "ExporterSettings.prometheus_url or --prometheus-url" in said


def test_forecast_report_escapes_what_prometheus_answers() -> None:
    """A Prometheus's error (or a series' labels) reaches the report: a terminal must not act on an escape in it."""
    body = {"status": "error", "errorType": "unavailable", "error": "down \x1b]0;owned\x07"}
    with fake_prometheus(503, body) as url:
        result = subprocess.run([sys.executable, "-m", "generator", "forecast", "report", "--config",
                                 str(SHIPPED_CONFIG), "--prometheus-url", url], cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "down \\x1b]0;owned\\x07" in result.stdout and "\x1b" not in result.stdout, result.stdout
