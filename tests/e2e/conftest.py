"""The live stack (`obsgen up` in compressed time, on free ports) shared by the end-to-end tests of one session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.live.client import LiveClient
from generator.live.stack import Options, down, up

ROOT = Path(__file__).resolve().parents[2]
SIMULATED_HOST = {"instance": "simulated-host"}
"""Labels of the demo's simulated host, where the CPU and memory faults show."""
FIRST = "test_early_warnings.py"
"""Runs before the other tests on the stack: the anomaly detector learns every fault it sees, so once
test_alert_delivery's revenue fault has been shown, a later revenue decline is no longer new to it."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the early-warnings test ahead of the other live-stack tests (a stable sort keeps every other order)."""
    items.sort(key=lambda item: item.path.name != FIRST)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveClient]:
    """The whole stack, up once per session (time 60x faster), stopped whatever happens."""
    state_dir = tmp_path_factory.mktemp("live")
    stack = up(Options(definitions=ROOT / "definitions", state_dir=state_dir, free_ports=True))
    try:
        yield LiveClient(stack)
    finally:
        down(state_dir)
