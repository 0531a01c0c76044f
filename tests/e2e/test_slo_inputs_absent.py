"""Checkout's SLO rules on a real Prometheus, 60x faster with a 3 s range floor (SLIAbsent's `for` 2m -> 4 s, the
page's 5m ratio -> 5 s, its hold 5m -> 5 s), scraping a stand-in checkout every second: a quiet night is silent;
one failed scrape is silent; during a burn the checkout counters vanish (renamed by a deploy) and SLIAbsent fires
before the page resolves for want of data, keeps firing while they are gone, and resolves once they are back. Then
the service restarts on a quiet night, creating its route's 200 series at 0 as the definitions declare
(initial_labels) and the 500 series only at a first failure: silent; it crashes: SLIAbsent pages; back: resolved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build
from generator.model.profile import Profile
from tests import servers
from tests.e2e.inhibition import until

ROOT = Path(__file__).resolve().parents[2]
ABSENT, PAGE = "CheckoutAvailabilitySLIAbsent", "CheckoutAvailabilityBudgetBurn1h"
ABSENT_FOR = 4.0
"""SLIAbsent's `for` in this build (the 3 s floor + 2m / 60 / 2): its expression reads no range, so counters that
made it true would show it pending at the next evaluation and firing this long after."""
QUIET = ABSENT_FOR + 1.0
"""Seconds a state is watched for SLIAbsent not coming: its `for` and one evaluation (1 s)."""
SERIES = 'http_requests_total{{service="api",endpoint="/api/checkout",status="{status}"}} {value}\n'


@dataclass
class Checkout:
    """What the stand-in exposes: its counters, whether they are renamed away, and failed scrapes to come."""

    ok: float = 100.0
    failed: float | None = 0.0
    """None: no 500 series, as after a restart before any failure."""
    per_scrape: tuple[float, float] = (0.0, 0.0)
    renamed: bool = False
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def scrape(self) -> tuple[int, str]:
        with self.lock:
            if self.failures:
                self.failures -= 1
                return 500, "down\n"
            self.ok += self.per_scrape[0]
            if self.failed is not None:
                self.failed += self.per_scrape[1]
            if self.renamed:
                return 200, SERIES.replace("http_requests_total", "checkout_requests_total").format(
                    status="200", value=self.ok)
            failed = "" if self.failed is None else SERIES.format(status="500", value=self.failed)
            return 200, SERIES.format(status="200", value=self.ok) + failed

    def set(self, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)


def _handler(checkout: Checkout) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = checkout.scrape()
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[servers.Server, Checkout]]:
    """A real Prometheus with the profiled checkout SLO rules, scraping the stand-in every second."""
    out = tmp_path / "out"
    build(ROOT / "definitions", out, Profile(time_scale=1 / 60, scrape_interval="1s", range_floor="3s"))
    checkout = Checkout()
    with servers.serving(_handler(checkout)) as url:
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(out / "prometheus/rules/slo-checkout-availability.yml")],
            "scrape_configs": [{"job_name": "checkout", "static_configs": [{"targets": [url.removeprefix("http://")]}]}],
        }))
        with servers.prometheus(config, tmp_path) as server:
            yield server, checkout


def _states(server: servers.Server) -> dict[str, str]:
    """Each alert's state now (pending or firing), by name."""
    return {a["labels"]["alertname"]: a["state"] for a in server.get("/api/v1/alerts").json()["data"]["alerts"]}


def _never(server: servers.Server, seconds: float) -> set[str]:
    """The states SLIAbsent was seen in over the next seconds."""
    seen, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.add(_states(server).get(ABSENT, "inactive"))
        time.sleep(0.2)
    return seen


def test_inputs_gone_page_before_the_burn_resolves_a_quiet_night_and_a_failed_scrape_do_not(
        prometheus: tuple[servers.Server, Checkout]) -> None:
    server, checkout = prometheus
    scraped = 'count(http_requests_total{endpoint="/api/checkout"})'
    assert until(lambda: server.get("/api/v1/query", query=scraped).json()["data"]["result"] != [], 15)
    # the first scrape comes some 5 s after start (service discovery's updates are throttled to 5 s): longer than
    # this `for` (4 s: the 3 s floor + 2m / 60 / 2), so SLIAbsent may have fired before it; with 2m (or the 21 s of
    # the default floor) it waits
    assert until(lambda: ABSENT not in _states(server), 15)

    assert _never(server, QUIET) == {"inactive"}  # a quiet night: counters present, flat
    checkout.set(failures=1)  # one failed scrape: staleness markers, absent() for about one evaluation
    assert "firing" not in _never(server, QUIET)

    checkout.set(per_scrape=(50.0, 50.0))  # half the checkouts fail: the 1h page fires
    assert until(lambda: _states(server).get(PAGE) == "firing", 30)
    checkout.set(renamed=True, per_scrape=(0.0, 0.0))  # a deploy renames the counter: markers at the next scrape
    assert until(lambda: _states(server).get(ABSENT) == "firing", 10)
    assert _states(server).get(PAGE) == "firing"  # on-call hears why before the page resolves for want of data
    assert until(lambda: PAGE not in _states(server), 60)
    assert _states(server).get(ABSENT) == "firing"

    checkout.set(renamed=False)  # rolled back: the counters are back, no traffic
    assert until(lambda: ABSENT not in _states(server), 20)

    checkout.set(ok=0.0, failed=None)  # restarted on a quiet night: the 200 series at 0, no 500 series yet
    assert _never(server, QUIET) == {"inactive"}
    checkout.set(failures=10**6)  # crashed: every scrape fails, every series stale
    assert until(lambda: _states(server).get(ABSENT) == "firing", 10)
    checkout.set(failures=0)  # back, still quiet
    assert until(lambda: ABSENT not in _states(server), 20)
