"""Fixtures of the preview tests: the shipped dashboards drawn once from the demo Prometheus, and a browser."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from prometheus_client import CollectorRegistry, start_http_server

from generator.preview.browser import Chromium
from generator.preview.render import Rendered, render
from generator.preview.source import dashboards, scrape_interval
from tests import servers
from tests.conftest import PICTURE_NOW, ROOT

GRAFANA = ROOT / "out" / "grafana"


@pytest.fixture(scope="session")
def rendered(demo_prometheus: str, tmp_path_factory: pytest.TempPathFactory) -> list[Rendered]:
    """Every shipped dashboard as HTML and PNG, at PICTURE_NOW, each drawn in its dashboard's zone whatever the
    machine's (tests/preview/test_time_zone.py)."""
    out = tmp_path_factory.mktemp("preview")
    return list(render(dashboards(GRAFANA), demo_prometheus, out, PICTURE_NOW, scrape_interval(GRAFANA)))


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """A headless Chromium for the module's tests."""
    with Chromium() as chromium:
        yield chromium


def write_dashboard(grafana: Path, document: dict[str, object], folder: str = "Tests") -> None:
    """A dashboard file where Grafana's file provider would find it."""
    (grafana / "dashboards" / folder).mkdir(parents=True, exist_ok=True)
    (grafana / "dashboards" / folder / f"{document['uid']}.json").write_text(json.dumps(document))


@contextmanager
def scraping(jobs: Mapping[str, Sequence[CollectorRegistry]], workdir: Path
             ) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """A real prometheus scraping each job's exporters (one a registry, on 127.0.0.1) every second; yields its URL
    and each job's targets, in the registries' order."""
    started, targets = [], dict[str, list[str]]()
    try:
        for job, registries in jobs.items():
            targets[job] = []
            for registry in registries:
                port = servers.free_port()
                started.append(start_http_server(port, addr="127.0.0.1", registry=registry))
                targets[job].append(f"127.0.0.1:{port}")
        config = workdir / "prometheus.yml"
        config.write_text("global: {scrape_interval: 1s}\nscrape_configs:\n" + "".join(
            f"- job_name: {job}\n  static_configs: [{{targets: {found}}}]\n" for job, found in targets.items()))
        with servers.prometheus(config, workdir) as prometheus:
            yield prometheus.url, targets
    finally:
        for server, thread in started:
            server.shutdown()
            thread.join()


def scraped(url: str, metric: str) -> int:
    """How many series of metric the prometheus at url holds now."""
    answer = requests.get(f"{url}/api/v1/query", params={"query": f"count({metric})"}, timeout=5).json()
    return int(answer["data"]["result"][0]["value"][1]) if answer["data"]["result"] else 0


@contextmanager
def serving(grafana: Path, prometheus_url: str) -> Iterator[str]:
    """`obsgen preview --serve` of the dashboards under grafana; yields its base URL."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "preview", "--serve", "--grafana", str(grafana),
                                "--prometheus", prometheus_url], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().split(" on ")[1].split("/ ")[0]
    finally:
        process.terminate()
        process.wait(timeout=10)
