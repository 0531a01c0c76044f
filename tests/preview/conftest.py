"""Fixtures of the preview tests: the shipped dashboards drawn once from the demo Prometheus, and a browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.preview.browser import Chromium
from generator.preview.render import Rendered, render
from generator.preview.source import dashboards, scrape_interval
from tests.conftest import DEMO_NOW, ROOT

GRAFANA = ROOT / "out" / "grafana"


@pytest.fixture(scope="session")
def rendered(demo_prometheus: str, tmp_path_factory: pytest.TempPathFactory) -> list[Rendered]:
    """Every shipped dashboard as HTML and PNG, at the demo's fixed now, in UTC."""
    out = tmp_path_factory.mktemp("preview")
    return list(render(dashboards(GRAFANA), demo_prometheus, out, DEMO_NOW, scrape_interval(GRAFANA),
                       timezone="UTC"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """A headless Chromium for the module's tests."""
    with Chromium() as chromium:
        yield chromium


def write_dashboard(grafana: Path, document: dict[str, object], folder: str = "Tests") -> None:
    """A dashboard file where Grafana's file provider would find it."""
    (grafana / "dashboards" / folder).mkdir(parents=True, exist_ok=True)
    (grafana / "dashboards" / folder / f"{document['uid']}.json").write_text(json.dumps(document))
