"""The host alerts' runbook queries, pasted into a real Prometheus scraping a real node-exporter as job node: each
answers, for the instance the alert names (`<instance>` on the runbook page), with what the runbook says it shows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests
import yaml

from generator.core.gotemplate import readable
from generator.model.project import Project
from tests import servers
from tests.conftest import DEMO_NOW

HOST_ALERTS = ("CpuHigh", "MemoryHigh", "DiskAlmostFull", "HostMetricsMissing")
QUERY = re.compile(r"`([^`]*\{[^`]*)`")
"""A code span holding a selector's braces: a query (the commands run on the host hold none)."""


def _queries(project: Project, name: str, instance: str) -> list[str]:
    return [span.replace("<instance>", instance) for span in QUERY.findall(readable(project.alerts[name].runbook))]


def _answer(prometheus: servers.Server, query: str) -> list[dict[str, object]]:
    reply = prometheus.get("/api/v1/query", query=query).json()
    assert reply["status"] == "success", (query, reply)
    return list(reply["data"]["result"])


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[servers.Server, str]]:
    """A Prometheus that has scraped node-exporter (job node) a few times: its instance."""
    work = tmp_path_factory.mktemp("runbook-queries")
    port = servers.free_port()
    instance = f"127.0.0.1:{port}"
    with servers.run(["prometheus-node-exporter", f"--web.listen-address={instance}"], "/metrics", port, work,
                     "node-exporter"):
        config = work / "prometheus.yml"
        config.write_text(yaml.safe_dump({"global": {"scrape_interval": "1s"},
                                          "scrape_configs": [{"job_name": "node",
                                                              "static_configs": [{"targets": [instance]}]}]}))
        with servers.prometheus(config, work) as prometheus:
            deadline = time.monotonic() + 30
            query = f'count_over_time(up{{job="node",instance="{instance}"}}[1m]) >= 3'
            while not _answer(prometheus, query):
                assert time.monotonic() < deadline, "node-exporter not scraped 3 times in 30 s"
                time.sleep(0.5)
            yield prometheus, instance


def test_each_host_alerts_runbook_query_answers_for_its_instance(project: Project,
                                                                  scraped: tuple[servers.Server, str]) -> None:
    prometheus, instance = scraped
    asked = {name: _queries(project, name, instance) for name in HOST_ALERTS}
    assert asked["CpuHigh"] and asked["HostMetricsMissing"]
    for name, queries in asked.items():
        for query in queries:
            assert _answer(prometheus, query), f"{name}'s runbook query answers nothing: {query}"


def test_cpu_query_splits_the_busy_time_by_mode(project: Project, scraped: tuple[servers.Server, str]) -> None:
    prometheus, instance = scraped
    query, = _queries(project, "CpuHigh", instance)
    modes = {str(series["metric"]["mode"]) for series in _answer(prometheus, query)}  # type: ignore[index]
    assert {"user", "system"} <= modes and "idle" not in modes


def test_host_metrics_query_names_each_series_the_host_alerts_read(project: Project,
                                                                    scraped: tuple[servers.Server, str]) -> None:
    prometheus, instance = scraped
    query, = _queries(project, "HostMetricsMissing", instance)
    present = {str(series["metric"]["__name__"]) for series in _answer(prometheus, query)}  # type: ignore[index]
    assert present == {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes",
                       "node_filesystem_avail_bytes", "node_filesystem_size_bytes"}


LABEL_VALUE = re.compile(r'="<\w+>"')
"""A matcher on the firing alert's label (`instance="<instance>"`): any value, over the demo history."""
FILTER = re.compile(r"\s*(?:==|!=|>=|<=|>|<)\s*[\d.]+\s*$")
"""A query's last comparison with a number (`up{job="<job>"} == 0`: the targets down): asked without it, since a
healthy history rightly answers nothing, what it filters must be there."""


def test_every_runbook_query_answers_over_the_demo_history(project: Project, demo_prometheus: str) -> None:
    """Each PromQL query a shipped runbook gives returns series from a Prometheus holding the demo's 8 days, at their
    end, with each label of the firing alert taken as any value (the demo's own hosts and jobs)."""
    asked = {f"{name}: {query}": FILTER.sub("", LABEL_VALUE.sub('=~".+"', query))
             for name, alert in project.alerts.items() for query in QUERY.findall(readable(alert.runbook))}
    assert any(name.startswith("ConversionRateLow: ") for name in asked)
    silent = {}
    for name, query in asked.items():
        reply = requests.get(f"{demo_prometheus}/api/v1/query", params={"query": query, "time": str(DEMO_NOW)},
                             timeout=10).json()
        if reply["status"] != "success" or not reply["data"]["result"]:
            silent[name] = reply.get("error", "no series")
    assert not silent, silent
