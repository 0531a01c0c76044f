"""A panel's exemplars-only query (its trace links) draws nothing in the preview and fails nothing; the series it
draws from recordings read as the raw ones did: latency buckets that only grow with `le`."""

from __future__ import annotations

import math

from generator.checks.lint.dashboard_json import panels
from generator.preview.page import PAGE_WIDTH
from generator.preview.prometheus import Prometheus, dashboard_data
from generator.preview.source import dashboards, scrape_interval
from tests.conftest import DEMO_NOW
from tests.preview.conftest import GRAFANA


def test_trace_link_queries_draw_nothing_and_the_recorded_latency_is_drawn(demo_prometheus: str) -> None:
    prometheus = Prometheus(demo_prometheus)
    linked = 0
    try:
        for dashboard in dashboards(GRAFANA):
            data = dashboard_data(prometheus, dashboard, DEMO_NOW, PAGE_WIDTH, scrape_interval(GRAFANA))
            for panel in panels(dashboard.document):
                links = {t["refId"] for t in panel.get("targets", []) if t.get("exemplar")}
                if not links:
                    continue
                linked += 1
                drawn = data[str(panel["id"])]
                assert drawn["errors"] == [], (panel["title"], drawn["errors"])
                assert drawn["series"] and not any(s["refId"] in links for s in drawn["series"]), panel["title"]
                assert all(any(v is not None for v in s["values"]) for s in drawn["series"]), panel["title"]
                if panel["type"] == "heatmap":  # per-bucket counts of cumulative buckets: none below zero
                    counts = [v for s in drawn["series"] for v in s["values"] if v is not None]
                    assert min(counts) >= -1e-9 and not any(math.isnan(v) for v in counts), panel["title"]
    finally:
        prometheus.close()
    assert linked == 3  # Development's heatmap and response times, Operations' response times
