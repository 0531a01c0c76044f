"""Metrics to traces: every link of the exemplar chain agrees in the generated configuration.

The collector's span metrics carry exemplars only in OpenMetrics; Prometheus stores them only with the
exemplar-storage feature (in the compose stack and the live stack alike); Tempo's metrics-generator sends its own;
Grafana's Prometheus data source turns the trace id label of either (trace_id, traceID) into a link to Tempo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.targets.prometheus import FEATURES
from generator.targets.tempo import EXEMPLAR_TRACE_ID

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
