"""Every panel query of every dashboard, run on the real prometheus holding 8 days of demo data."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import requests

from generator.checks.lint.dashboard_json import panels
from generator.core.duration import parse_seconds
from generator.core.grafana_promql import interpolate
from generator.derive.dashboards import LABEL_VALUES
from generator.model.project import Project
from generator.preview.prometheus import Prometheus
from generator.preview.queries import requests_for
from generator.preview.source import DashboardFile
from tests.conftest import DEMO_NOW

PAGE_WIDTH = 1920  # Grafana asks for about one point per pixel of the panel


def _check_variables(prometheus_url: str, dashboard: DashboardFile) -> list[str]:
    """Query variables whose label_values() finds no value."""
    empty = []
    values = dashboard.variable_defaults()
    for variable in dashboard.document["templating"]["list"]:
        match = LABEL_VALUES.match(variable.get("definition", ""))
        if variable["type"] == "query" and match:
            selector = interpolate(match.group(1) or "up", values)
            found = requests.get(f"{prometheus_url}/api/v1/label/{match.group(2)}/values", params={
                "match[]": selector, "start": str(DEMO_NOW - 3600), "end": str(DEMO_NOW)}, timeout=10).json()["data"]
            if not found:
                empty.append(f"{dashboard.title} variable {variable['name']}")
    return empty


def test_every_panel_query_returns_series_from_a_week_of_demo_data(
        project: Project, compiled: dict[str, dict[str, Any]], demo_prometheus: str) -> None:
    scrape = parse_seconds(project.stack.scrape_interval)
    prometheus = Prometheus(demo_prometheus)
    empty: list[str] = []
    for path, document in compiled.items():
        dashboard = DashboardFile(Path(path), "", document)
        empty += _check_variables(demo_prometheus, dashboard)
        total, count = 0.0, 0
        for panel in panels(document):
            links = {t["refId"] for t in panel.get("targets", []) if t.get("exemplar")}
            for request in requests_for(document, panel, dashboard.variable_defaults(), DEMO_NOW, PAGE_WIDTH, scrape):
                if request.start == request.end:  # timeFrom now/d at DEMO_NOW, 00:00 UTC: an empty range in Grafana
                    continue  # too, whose $__range (0s) Prometheus refuses
                started = time.perf_counter()
                answer = prometheus.ask(request)
                total, count = total + time.perf_counter() - started, count + 1
                assert not answer.error, f"{panel['title']}: {request.expr}: {answer.error}"
                if request.ref_id in links:  # trace links: nothing drawn, exemplars of series that are there
                    assert not answer.result, f"{panel['title']}: {request.expr} draws {answer.result}"
                    answer = prometheus.ask(dataclasses.replace(request, expr=request.expr.replace(" @ 0)", ")")))
                if not answer.result:
                    empty.append(f"{document['title']} / {panel['title']} / {request.ref_id}: {request.expr}")
        print(f"{document['title']}: {count} queries over now-{document['time']['from'][4:]} "
              f"answered in {total:.3f} s in total")
    prometheus.close()
    assert empty == []
