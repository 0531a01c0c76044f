"""The live stack (`obsgen up` in compressed time, on free ports) shared by the end-to-end tests of one session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import yaml

from generator.live.client import LiveClient
from generator.live.ledger import Routing
from generator.live.running import down
from generator.live.stack import Options, up
from tests.e2e.inhibition import Sink, shipped_alertmanager

ROOT = Path(__file__).resolve().parents[2]
SIMULATED_HOST = {"instance": "simulated-host"}
"""Labels of the demo's simulated host, where the CPU and memory faults show."""


def external_labels(live: LiveClient) -> dict[str, str]:
    """The stack's Prometheus external labels, which every alert it sends carries to Alertmanager's routes."""
    prometheus = yaml.safe_load((live.stack.out / "prometheus/prometheus.yml").read_text())
    return dict(prometheus["global"].get("external_labels") or {})


def routing(live: LiveClient) -> Routing:
    """The stack's routes as its Alertmanager reads them, for the alerts its Prometheus sends."""
    return Routing(live.stack.out / "alertmanager/alertmanager.yml", external_labels(live))
@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveClient]:
    """The whole stack, up once per session (time 60x faster), stopped whatever happens."""
    state_dir = tmp_path_factory.mktemp("live")
    stack = up(Options(definitions=ROOT / "definitions", state_dir=state_dir, free_ports=True))
    try:
        yield LiveClient(stack)
    finally:
        down(state_dir)


@pytest.fixture
def inhibiting_alertmanager(tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    """A real Alertmanager with the shipped routes and inhibit rules, notifying a sink: its URL and the sink."""
    with shipped_alertmanager(tmp_path) as served:
        yield served


@pytest.fixture
def paging_alertmanager(tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    """The shipped Alertmanager whose PagerDuty integrations stay PagerDuty's, posting to the sink."""
    with shipped_alertmanager(tmp_path, keep_pagerduty=True) as served:
        yield served


def _discovered(prometheus: str) -> list[str]:
    response = requests.get(f"{prometheus}/api/v1/alertmanagers", timeout=10)
    return [found["url"] for found in response.json()["data"]["activeAlertmanagers"]]


@contextmanager
def own_stack(state_dir: Path, alertmanagers: int = 1) -> Iterator[LiveClient]:
    """A stack of its own for tests that restart or kill its servers, ready to route alerts, stopped at the end."""
    stack = up(Options(definitions=ROOT / "definitions", state_dir=state_dir, free_ports=True,
                       alertmanagers=alertmanagers))
    try:
        deadline = time.monotonic() + 30
        while len(_discovered(stack.urls["prometheus"])) < len(stack.alertmanagers):
            assert time.monotonic() < deadline, "Prometheus did not discover its Alertmanagers"
            time.sleep(0.2)  # Prometheus discovers them up to 5 s after it starts; an alert firing before waits
        yield LiveClient(stack)
    finally:
        down(state_dir)
