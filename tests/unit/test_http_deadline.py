"""Every client obsgen runs ends a request by its deadline, by the wall clock, however the server stalls it: an
endless body on a status urllib3 retries (which urllib3 reads to its end before retrying), a body one byte at a
time (each byte within the read timeout), a Retry-After far in the future. Real HTTP servers on loopback."""

from __future__ import annotations

import contextlib
import functools
import itertools
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from generator.apply.http import Api, Connection, Unreachable
from generator.exporter.jobs import JobTimeout
from generator.exporter.prometheus_api import PrometheusClient
from generator.live.supervisor import http_ready
from tests.servers import serving

ROOT = Path(__file__).resolve().parents[2]
OUTER = 60.0
"""Seconds a test waits for the client before failing: far past every deadline here, and what the old tree, which
had none, ran into."""


def stalling(status: int, pace: float, block: int,
             headers: dict[str, str] | None = None) -> type[BaseHTTPRequestHandler]:
    """A handler answering every GET `status` with a body that never ends: `block` bytes every `pace` seconds until
    the client goes."""

    class Stalling(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client closed the connection
                self.wfile.write(b'{"data": "')
                while True:
                    self.wfile.write(b"x" * block)
                    self.wfile.flush()
                    time.sleep(pace)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Stalling


ENDLESS = (0.0, 2**16)
"""As fast as the socket takes it."""
TRICKLE = (0.2, 1)
"""A byte every 0.2 s: each read gets one well within any read timeout."""


def ended(call: Callable[[], object]) -> tuple[BaseException | None, float]:
    """What call raised and how long it took, failing the test if it has not ended after OUTER seconds."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as error:  # handed to the test, which says what it expected
            outcome.append(error)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(OUTER)
    assert outcome, f"the request was still running after {OUTER:g} s"
    return outcome[0], time.monotonic() - started


def test_status_ends_a_retried_503_whose_body_never_ends_by_its_deadline(tmp_path: Path) -> None:
    with serving(stalling(503, *ENDLESS)) as url:
        started = time.monotonic()
        try:
            result = subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(ROOT / "out"),
                                     "--prometheus-url", url, "--timeout", "0.5", "--retries", "1"],
                                    capture_output=True, text=True, cwd=tmp_path, timeout=OUTER)
        except subprocess.TimeoutExpired:
            pytest.fail(f"obsgen status was still reading after {OUTER:g} s")
        took = time.monotonic() - started
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout + result.stderr)[-3000:]
    # --timeout 0.5 and 2 attempts: 2 s
    assert f"{url}/metrics did not finish answering within 2 s" in result.stdout, result.stdout[-3000:]
    assert took < 20


@pytest.mark.parametrize(("status", "headers"), [(200, {}), (302, {"Location": "/elsewhere"})], ids=["200", "redirect"])
def test_the_apply_client_ends_an_answer_trickling_a_byte_at_a_time_by_its_deadline(
        status: int, headers: dict[str, str]) -> None:
    with serving(stalling(status, *TRICKLE, headers)) as url:
        api = Api(Connection("grafana", url, timeout=1.0, retries=0))
        error, took = ended(lambda: api.get("/api/search"))
    assert isinstance(error, Unreachable), repr(error)
    assert str(error) == (f"grafana: {url}/api/search did not finish answering within 2 s, the longest obsgen waits "
                          "for one request, retries and body included")
    assert 2 <= took < 10


def test_a_retry_after_past_the_deadline_ends_the_request_at_once() -> None:
    with serving(stalling(503, 0.0, 0, {"Retry-After": "3600", "Content-Length": "10"})) as url:
        api = Api(Connection("alertmanager", url, timeout=1.0, retries=1))
        error, took = ended(lambda: api.get("/api/v2/alerts"))
    assert isinstance(error, Unreachable) and "(asked to retry in 3600 s)" in str(error), repr(error)
    assert took < 4


def test_the_exporter_times_the_query_out_when_prometheus_trickles_its_answer() -> None:
    with serving(stalling(200, *TRICKLE)) as url:
        error, took = ended(lambda: PrometheusClient(url, timeout=1.0).query_range("up", 0, 60, 60))
    assert isinstance(error, JobTimeout) and f"{url}/api/v1/query_range did not finish answering within 2 s" in str(
        error), repr(error)
    assert took < 10


def test_a_readiness_probe_gives_up_on_headers_that_trickle() -> None:
    class Headers(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with contextlib.suppress(OSError):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(10_000):  # one header line a byte at a time, never the end of the headers
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    with serving(Headers) as url:
        ready: list[bool] = []
        error, took = ended(lambda: ready.append(http_ready(url + "/-/ready")()))
    assert error is None and ready == [False]
    assert took < 5


def test_a_single_request_ends_by_its_deadline_with_the_url_and_no_query() -> None:
    from generator.core.http_deadline import DeadlinePassed, fetch  # here: the other tests run on the old tree too

    with serving(stalling(200, *TRICKLE)) as url:
        error, took = ended(lambda: fetch("GET", f"{url}/api/v1/query", 1.5, 2**20, timeout=1.0,
                                          params={"query": "up"}))
    assert isinstance(error, DeadlinePassed) and error.url == f"{url}/api/v1/query", repr(error)
    assert 1.5 <= took < 10


def headers_trickling(started: list[float]) -> type[BaseHTTPRequestHandler]:
    """A handler answering every request with a status line, then one header a byte every 0.2 s that never ends,
    noting when each request came."""

    class Headers(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            started.append(time.monotonic())
            with contextlib.suppress(OSError):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(10_000):  # 2,000 s: never the end of the headers for any client here
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Headers


def test_the_demos_traffic_client_gives_up_an_answer_by_its_deadline_and_sends_the_next(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.live.demo import app

    monkeypatch.setattr(app, "TRAFFIC_TIMEOUT", 0.5)  # deadline_for(0.5): 1 s
    started: list[float] = []
    stop = threading.Event()
    with serving(headers_trickling(started)) as url:
        client = threading.Thread(target=app._traffic, args=(url, 0, stop), daemon=True)
        client.start()
        waited = time.monotonic() + 20
        while len(started) < 3 and time.monotonic() < waited:
            time.sleep(0.05)
        stop.set()
        client.join(10)
    assert len(started) >= 3, f"the client sent {len(started)} request(s) in 20 s: it is still reading an answer"
    # each request: its 1 s deadline, then the client's pause
    gaps = [later - earlier for earlier, later in itertools.pairwise(started[:3])]
    assert all(1.0 <= gap < 1.0 + app.PAUSE_SECONDS + 2 for gap in gaps), gaps
    assert not client.is_alive()


def test_requests_start_no_thread_of_their_own() -> None:
    """The deadlines of all requests are watched by one thread: a request costs no thread start (a timer thread per
    request did, 2,000 for 2,000 requests)."""
    from generator.core.http_deadline import deadline_session  # here: the other tests run on the old tree too

    class Quick(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # kept alive: the server starts no thread per request either

        def do_GET(self) -> None:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    started: set[threading.Thread] = set()

    def note(*args: object) -> None:
        started.add(threading.current_thread())

    with serving(Quick) as url, deadline_session(60.0, 2**10) as session:
        threading.settrace(note)  # runs first in each thread threading starts from now on
        try:
            answers = [session.get(f"{url}/", timeout=10).text for _ in range(50)]
        finally:
            threading.settrace(None)
    assert answers == ["ok"] * 50
    servers = {thread for thread in started if thread.name.endswith("(process_request_thread)")}
    assert len(started - servers) <= 1, f"50 requests started {len(started - servers)} threads"  # the watchdog, once


def test_the_watchdog_runs_each_action_at_its_time_and_not_once_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.core.watchdog import Watchdog

    reported: list[type[BaseException] | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: reported.append(args.exc_type))
    watchdog = Watchdog()
    ran: list[tuple[str, float]] = []

    def run(name: str) -> None:
        ran.append((name, time.monotonic() - start))

    start = time.monotonic()
    for name, delay in [("c", 0.6), ("a", 0.2), ("cancelled", 0.3), ("b", 0.4), ("past", -1.0)]:
        key = watchdog.call_at(start + delay, functools.partial(run, name))
        if name == "cancelled":
            watchdog.cancel(key)
    watchdog.call_at(start + 0.1, lambda: 1 / 0)  # a failing action: reported, and the others still run
    waited = time.monotonic() + 30  # a loaded machine runs them late, never early: wait for them, not for a time
    while len(ran) < 4 and time.monotonic() < waited:
        time.sleep(0.05)
    assert [name for name, _ in ran] == ["past", "a", "b", "c"] and reported == [ZeroDivisionError]
    assert all(at >= delay for (_, at), delay in zip(ran[1:], (0.2, 0.4, 0.6), strict=True)), ran
