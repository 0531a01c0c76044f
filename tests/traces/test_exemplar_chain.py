"""Metrics to traces: every link of the exemplar chain agrees in the generated configuration.

The collector's span metrics carry exemplars only in OpenMetrics; Prometheus stores them only with the
exemplar-storage feature (in the compose stack and the live stack alike); Tempo's metrics-generator sends its own;
Grafana's Prometheus data source turns the trace id label of either (trace_id, traceID) into a link to Tempo.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import yaml

from generator.targets.prometheus import FEATURES
from generator.targets.tempo import EXEMPLAR_TRACE_ID
from tests.servers import prometheus, serving

ROOT = Path(__file__).resolve().parents[2]
COLLECTOR_TRACE_ID = "trace_id"
"""The label the collector's prometheus exporter gives an exemplar's trace id (OpenMetrics)."""


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_the_collector_exposes_span_metrics_with_exemplars_in_openmetrics(built: Path) -> None:
    config = _yaml(built / "otelcol/config.yaml")
    assert config["connectors"]["span_metrics"]["exemplars"]["enabled"] is True
    assert config["exporters"]["prometheus"]["enable_open_metrics"] is True
    metrics = [p for name, p in config["service"]["pipelines"].items() if name.startswith("metrics")]
    assert any("span_metrics" in p["receivers"] and "prometheus" in p["exporters"] for p in metrics)


def test_prometheus_stores_exemplars_in_the_compose_and_the_live_stack() -> None:
    assert "exemplar-storage" in FEATURES  # the live stack starts Prometheus with these (generator/live/stack.py)
    command = _yaml(ROOT / "stacks/docker-compose.yml")["services"]["prometheus"]["command"]
    assert {f"--enable-feature={feature}" for feature in FEATURES} <= set(command)


def test_grafana_links_the_trace_id_of_the_collector_and_of_tempo_to_tempo(built: Path) -> None:
    assert _yaml(built / "tempo/tempo.yaml")["metrics_generator"]["storage"]["remote_write"][0]["send_exemplars"]
    sources = {s["uid"]: s for s in _yaml(built / "grafana/provisioning/datasources/obsgen.yml")["datasources"]}
    links = sources["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert {link["name"] for link in links} == {COLLECTOR_TRACE_ID, EXEMPLAR_TRACE_ID}
    assert {link["datasourceUid"] for link in links} == {"tempo"} and sources["tempo"]["type"] == "tempo"


class _Instrumented(BaseHTTPRequestHandler):
    """An application exposing one latency bucket with an exemplar, in OpenMetrics (where exemplars are allowed)."""

    def do_GET(self) -> None:
        labels = 'service="api",endpoint="/api/search",method="GET",status="200"'
        body = (f"# TYPE http_request_duration_seconds histogram\n"
                f'http_request_duration_seconds_bucket{{{labels},le="0.1"}} 1 # {{trace_id="4bf92f35"}} 0.05 '
                f"{time.time():.3f}\n"
                f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} 1\n'
                f"http_request_duration_seconds_count{{{labels}}} 1\n"
                f"http_request_duration_seconds_sum{{{labels}}} 0.05\n# EOF\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_latency_panels_trace_link_query_draws_nothing_and_prometheus_answers_its_exemplars(
        built: Path, tmp_path: Path) -> None:
    """The exemplars-only query of the Response Times panel, sent as Grafana sends it: its range query answers no
    series (read at 1970), its exemplar query (/api/v1/query_exemplars, the same expression over the range) the
    trace id the application's bucket carries."""
    document = json.loads((built / "grafana/dashboards/Operations/operations.json").read_text())
    panel = next(p for p in document["panels"] if p.get("title") == "Response Times")
    link = next(t for t in panel["targets"] if t.get("exemplar"))
    expr = link["expr"].replace("$__rate_interval", "1m").replace('"$job"', '".*"')
    with serving(_Instrumented) as app:
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({"global": {"scrape_interval": "1s"}, "scrape_configs": [
            {"job_name": "api", "static_configs": [{"targets": [app.removeprefix("http://")]}]}]}))
        with prometheus(config, tmp_path, *(f"--enable-feature={feature}" for feature in FEATURES)) as server:
            scraped, deadline = 0.0, time.monotonic() + 20
            while scraped < 3 and time.monotonic() < deadline:  # enough samples for the raw series to have a rate
                time.sleep(0.5)
                answer = server.get("/api/v1/query", query="count_over_time(http_request_duration_seconds_count[1m])")
                scraped = max((float(r["value"][1]) for r in answer.json()["data"]["result"]), default=0.0)
            now = time.time()
            found = server.get("/api/v1/query_exemplars", query=expr, start=f"{now - 60:.3f}",
                               end=f"{now:.3f}").json()["data"]
            now = time.time()
            drawn = server.get("/api/v1/query_range", query=expr, start=f"{now - 60:.3f}", end=f"{now:.3f}",
                               step="1").json()["data"]["result"]
    assert drawn == []
    assert found and found[0]["seriesLabels"]["le"] == "0.1"
    assert found[0]["exemplars"][0]["labels"] == {"trace_id": "4bf92f35"}
