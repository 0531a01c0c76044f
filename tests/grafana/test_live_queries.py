"""Every panel query of every dashboard, run on the real prometheus holding 8 days of demo data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from generator.checks.lint.dashboard_json import panels
from generator.core.duration import parse_seconds
from generator.core.grafana_promql import builtin_values, grafana_step, interpolate
from generator.core.promql import metric_names
from generator.derive.dashboards import LABEL_VALUES
from generator.model.project import Project
from tests import servers
from tests.grafana.demo_data import write_blocks

PIXELS_PER_COLUMN = 80  # a 1920 px wide screen: Grafana asks for about one point per pixel


def _variables(document: dict[str, Any]) -> dict[str, str]:
    """Values as Grafana sends them when the dashboard opens: the default data source, 'All' elsewhere."""
    values = {}
    for variable in document["templating"]["list"]:
        values[variable["name"]] = (variable["current"]["value"] if variable["type"] != "query"
                                    else variable["allValue"])
    return values


def _run(prometheus: servers.Server, panel: dict[str, Any], target: dict[str, Any], document: dict[str, Any],
         now: float, scrape: float) -> tuple[int, float]:
    """(series returned, seconds taken) for one target over the panel's time range."""
    range_text = panel.get("timeFrom") or document["time"]["from"].removeprefix("now-")
    span = parse_seconds(range_text)
    step = grafana_step(span, panel["gridPos"]["w"] * PIXELS_PER_COLUMN, scrape)
    expr = interpolate(target["expr"], {**_variables(document), **builtin_values(span, step, scrape)})
    params = {"query": expr}
    path = "/api/v1/query"
    if target["instant"]:
        params["time"] = str(now)
    else:
        path = "/api/v1/query_range"
        params |= {"start": str(now - span), "end": str(now), "step": str(step)}
    started = time.perf_counter()
    answer = requests.post(f"{prometheus.url}{path}", data=params, timeout=30)
    taken = time.perf_counter() - started
    assert answer.status_code == 200, f"{panel['title']}: {expr}: {answer.text}"
    return len(answer.json()["data"]["result"]), taken


def _series_read(document: dict[str, Any]) -> set[str]:
    """Names of the series a dashboard's queries and variables read."""
    values = {**_variables(document), **builtin_values(3600, 15, 15)}
    names: set[str] = set()
    for panel in panels(document):
        for target in panel.get("targets", []):
            names |= metric_names(interpolate(target["expr"], values))
    for variable in document["templating"]["list"]:
        match = LABEL_VALUES.match(variable.get("definition", ""))
        if match and match.group(1):
            names |= metric_names(interpolate(match.group(1), values))
    return names


def _check_variables(prometheus: servers.Server, document: dict[str, Any], now: float) -> list[str]:
    """Query variables whose label_values() finds no value."""
    empty = []
    values = _variables(document)
    for variable in document["templating"]["list"]:
        match = LABEL_VALUES.match(variable.get("definition", ""))
        if variable["type"] == "query" and match:
            selector = interpolate(match.group(1) or "up", values)
            found = prometheus.get(f"/api/v1/label/{match.group(2)}/values", **{
                "match[]": selector, "start": str(now - 3600), "end": str(now)}).json()["data"]
            if not found:
                empty.append(f"{document['title']} variable {variable['name']}")
    return empty


def test_every_panel_query_returns_series_from_a_week_of_demo_data(
        project: Project, compiled: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    now = int(time.time())
    documents = list(compiled.values())
    started = time.perf_counter()
    samples = write_blocks(set().union(*map(_series_read, documents)), project, now,
                           tmp_path / "prometheus-data", tmp_path)
    print(f"\ndemo data: {samples} samples over 8 days imported in {time.perf_counter() - started:.1f} s")
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\n")
    scrape = parse_seconds(project.stack.scrape_interval)
    empty: list[str] = []
    with servers.prometheus(config, tmp_path, "--storage.tsdb.retention.time=30d") as prometheus:
        for document in documents:
            empty += _check_variables(prometheus, document, now)
            total, count = 0.0, 0
            for panel in panels(document):
                for target in panel.get("targets", []):
                    series, taken = _run(prometheus, panel, target, document, now, scrape)
                    total, count = total + taken, count + 1
                    if not series:
                        empty.append(f"{document['title']} / {panel['title']} / {target['refId']}: {target['expr']}")
            print(f"{document['title']}: {count} queries over now-{document['time']['from'][4:]} "
                  f"answered in {total:.3f} s in total")
    assert empty == []
