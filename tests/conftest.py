"""Shared fixtures: the shipped definitions loaded once, and built once into a temporary out/; a Prometheus
holding their demo history.

Real servers (prometheus, alertmanager, node-exporter, promtool) are started through tests/servers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from generator.build import build, load
from generator.core.promql import metric_names
from generator.live.demo_blocks import write_blocks
from generator.live.demo_prometheus import prometheus_on_blocks
from generator.model.project import Project
from generator.preview.source import dashboards
from tests.run_shared import made_once, run_dir
from tests.scheduling import ByScope, order
from tests.teardown import die_with_pytest

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = ROOT / "definitions"
DEMO_NOW = 1767225600
"""2026-01-01T00:00:00Z: the demo history ends here, so the same data (and pictures) come out of every run."""
PICTURE_NOW = DEMO_NOW - 3 * 3600
"""Dashboards' pictures are drawn at 21:00 on the demo's last day, not at its end (midnight): in the evening
the executive dashboard's Revenue Today holds the day's revenue an executive reads, not the first minute's."""

# Hypothesis' 200 ms deadline per example is a wall-clock assertion: on the shared 2-core CI machine, with the
# end-to-end tests' servers beside it, one example of a 0.07 ms test once took 445 ms and failed the run.
settings.register_profile("obsgen", deadline=None)
settings.load_profile("obsgen")


def pytest_configure(config: pytest.Config) -> None:
    die_with_pytest(config)  # in the xdist controller and in each worker: what tests start dies with pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    order(items, ROOT)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ByScope:
    return ByScope(config, log)


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
def demo_prometheus(project: Project, tmp_path_factory: pytest.TempPathFactory,
                    pytestconfig: pytest.Config) -> Iterator[str]:
    """URL of a real prometheus holding 8 days of demo data for every series the shipped dashboards and alerts
    read. The history's blocks (20-30 CPU-seconds to make) are made once per run; each worker's Prometheus runs on
    hard links to them."""
    series = set().union(*(d.series_read() for d in dashboards(ROOT / "out" / "grafana")),
                         *(metric_names(alert.condition) for alert in project.alerts.values()))
    blocks = made_once(run_dir(tmp_path_factory, pytestconfig) / "demo-blocks",
                       lambda work: write_blocks(series, project, DEMO_NOW, work / "made", work))
    with prometheus_on_blocks(blocks) as url:
        yield url
