"""Shared fixtures: the shipped definitions loaded once, and built once into a temporary out/; a Prometheus
holding their demo history.

Real servers (prometheus, alertmanager, node-exporter, promtool) are started through tests/servers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import build, load
from generator.live.demo_prometheus import demo_prometheus as start_demo_prometheus
from generator.model.project import Project
from generator.preview.source import dashboards

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = ROOT / "definitions"
E2E = ROOT / "tests" / "e2e"
FIRST_ON_THE_LIVE_STACK = "test_early_warnings.py"
"""The anomaly detector learns every fault it sees: once test_alert_delivery's revenue fault has been shown, a
later revenue decline is no longer new to it."""
DEMO_NOW = 1767225600
"""2026-01-01T00:00:00Z: the demo history ends here, so the same data (and pictures) come out of every run."""


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs two workers (pytest-xdist, --dist loadgroup). A module's tests stay in one worker, so its
    module fixtures start their real servers once; the tests on the shared live stack form one group, the
    early-warnings test first. End-to-end tests go first: they mostly wait on compressed time, and the short tests
    fill the other core meanwhile. Without xdist the groups are inert and the order is the same."""
    for item in items:
        shared_stack = "live" in getattr(item, "fixturenames", ())
        item.add_marker(pytest.mark.xdist_group("live" if shared_stack else str(item.path.relative_to(ROOT))))
    items.sort(key=lambda item: (item.path.parent != E2E, "live" not in getattr(item, "fixturenames", ()),
                                 item.path.name != FIRST_ON_THE_LIVE_STACK))


@pytest.fixture(scope="session")
def project() -> Project:
    """The shipped definitions/ as a checked Project."""
    return load(DEFINITIONS)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ freshly built from the shipped definitions into a temporary directory."""
    out = tmp_path_factory.mktemp("build") / "out"
    build(DEFINITIONS, out)
    return out


@pytest.fixture(scope="session")
def demo_prometheus(project: Project) -> Iterator[str]:
    """URL of a real prometheus holding 8 days of demo data for every series the shipped dashboards read."""
    series = set().union(*(d.series_read() for d in dashboards(ROOT / "out" / "grafana")))
    with start_demo_prometheus(project, series, DEMO_NOW) as url:
        yield url
