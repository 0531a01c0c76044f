"""The collector target: the plan's sampling as tail_sampling, span metrics before sampling, valid config."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from generator.build import check_project
from generator.checks.schemas import SchemaError
from generator.checks.schemas.otelcol import validate
from generator.model import LogStream, TraceExporter, TracingPolicy
from generator.model.logs import LOG_FIELDS
from generator.model.project import Project
from generator.targets.otelcol import config
from tests.traces.conftest import read_yaml


def _policy(project: Project) -> TracingPolicy:
    return project.all(TracingPolicy)[0]


def test_generated_config_matches_the_collector_reference(built: Path) -> None:
    validate(read_yaml(built / "otelcol/config.yaml"))


@pytest.mark.parametrize(("section", "key", "misspelt"), [
    ("processors", "tail_sampling", "decison_wait"),
    ("connectors", "span_metrics", "dimentions"),
    ("exporters", "otlp_grpc/tempo", "endpiont"),
])
def test_a_misspelt_key_is_rejected(built: Path, section: str, key: str, misspelt: str) -> None:
    document = read_yaml(built / "otelcol/config.yaml")
    document[section][key][misspelt] = "1"
    with pytest.raises(SchemaError, match=misspelt):
        validate(document)


def test_an_unknown_component_type_and_a_dangling_pipeline_reference_are_rejected(built: Path) -> None:
    document = read_yaml(built / "otelcol/config.yaml")
    broken = copy.deepcopy(document)
    broken["exporters"]["jaeger"] = {"endpoint": "jaeger:14250"}  # removed from contrib long ago
    with pytest.raises(SchemaError, match="unknown exporter type 'jaeger'"):
        validate(broken)
    document["service"]["pipelines"]["traces/sampled"]["exporters"].append("otlp_grpc/nowhere")
    with pytest.raises(SchemaError, match="undefined exporter 'otlp_grpc/nowhere'"):
        validate(document)


def test_the_plan_sampling_becomes_tail_sampling_policies(built: Path) -> None:
    sampling = read_yaml(built / "otelcol/config.yaml")["processors"]["tail_sampling"]
    policies = {p["name"]: p for p in sampling["policies"]}
    assert policies["critical-endpoints"]["string_attribute"] == {
        "key": "http.route", "values": ["/api/checkout", "/api/orders", "/api/payments"]}
    assert policies["errors"]["status_code"]["status_codes"] == ["ERROR"]
    assert policies["slow"]["latency"]["threshold_ms"] == 2000
    assert policies["default"]["probabilistic"]["sampling_percentage"] == 10.0


def test_span_metrics_see_every_span_before_sampling(built: Path) -> None:
    pipelines = read_yaml(built / "otelcol/config.yaml")["service"]["pipelines"]
    assert pipelines["traces/in"]["exporters"] == ["span_metrics", "forward/sampling"]
    assert "tail_sampling" not in pipelines["traces/in"]["processors"]
    assert pipelines["traces/sampled"]["receivers"] == ["forward/sampling"]
    assert pipelines["traces/sampled"]["processors"][0] == "tail_sampling"
    assert pipelines["metrics/span_metrics"]["receivers"] == ["span_metrics"]


def test_required_attributes_are_inserted_when_missing(built: Path) -> None:
    document = read_yaml(built / "otelcol/config.yaml")
    span_keys = [a["key"] for a in document["processors"]["attributes/required"]["actions"]]
    resource_keys = [a["key"] for a in document["processors"]["resource/required"]["attributes"]]
    assert span_keys == ["user_id", "session_id", "request_id"]
    assert resource_keys == ["service.version"]
    assert {a["action"] for a in document["processors"]["attributes/required"]["actions"]} == {"insert"}


def test_jaeger_goes_over_otlp_and_zipkin_only_when_enabled(project: Project) -> None:
    document = config(project, _policy(project))
    assert document["exporters"]["otlp_grpc/jaeger"]["endpoint"] == "jaeger:4317"
    assert "zipkin" not in document["receivers"] and not any(k.startswith("zipkin") for k in document["exporters"])
    zipkin_on = _policy(project).model_copy(update={"exporters": (
        TraceExporter(name="zipkin", protocol="zipkin", endpoint="http://zipkin:9411/api/v2/spans"),)})
    document = config(project, zipkin_on)
    validate(document)
    assert document["receivers"]["zipkin"] == {"endpoint": "0.0.0.0:9411"}
    assert document["exporters"]["zipkin/zipkin"]["endpoint"] == "http://zipkin:9411/api/v2/spans"
    assert "zipkin" in document["service"]["pipelines"]["traces/in"]["receivers"]


def test_a_ratio_below_one_becomes_an_and_policy(project: Project) -> None:
    partial = _policy(project).model_copy(update={"critical_ratio": 0.5})
    document = config(project, partial)
    validate(document)
    critical = next(p for p in document["processors"]["tail_sampling"]["policies"] if p["name"] == "critical-endpoints")
    kinds = [sub["type"] for sub in critical["and"]["and_sub_policy"]]
    assert critical["type"] == "and" and kinds == ["string_attribute", "probabilistic"]


def test_the_jaeger_mapping_is_reported_as_a_warning(project: Project) -> None:
    assert any("Jaeger's Thrift collector" in w.message for w in check_project(project).problems)


def test_logs_read_or_queued_survive_a_collector_restart(built: Path) -> None:
    """File offsets and the Loki exporter's queue are in file_storage, and nothing holds logs in memory
    between them (a batch processor would, and would drop what the queue refuses)."""
    document = read_yaml(built / "otelcol/config.yaml")
    assert "file_storage" in document["service"]["extensions"]
    assert document["extensions"]["file_storage"]["directory"] == "/var/lib/otelcol/file_storage"
    file_logs = {k: v for k, v in document["receivers"].items() if k.startswith("file_log/")}
    assert file_logs
    for receiver in file_logs.values():
        assert receiver["storage"] == "file_storage"
        assert receiver["retry_on_failure"] == {"enabled": True}
    assert document["exporters"]["otlp_http/loki"]["sending_queue"]["storage"] == "file_storage"
    logs = document["service"]["pipelines"]["logs"]
    assert "batch" not in logs["processors"] and logs["exporters"] == ["otlp_http/loki"]


def test_a_storage_the_service_does_not_start_is_rejected(built: Path) -> None:
    document = read_yaml(built / "otelcol/config.yaml")
    broken = copy.deepcopy(document)
    broken["service"]["extensions"].remove("file_storage")
    with pytest.raises(SchemaError, match="file_log/api stores in 'file_storage'"):
        validate(broken)
    document["exporters"]["otlp_http/loki"]["sending_queue"]["wait_for_result"] = True
    with pytest.raises(SchemaError, match="wait_for_result"):
        validate(document)


def _attributes_set(document: dict[str, Any], stream: LogStream) -> dict[str, str]:
    """The resource attributes the collector gives the stream's logs on their way to Loki."""
    receiver = f"file_log/{stream.name}" if stream.paths else "otlp"
    pipeline = next(p for name, p in document["service"]["pipelines"].items()
                    if name.startswith("logs") and receiver in p["receivers"])
    # a file_log receiver sets its stream's resource; an SDK sets service.name
    attributes = dict(document["receivers"][receiver]["resource"]) if stream.paths else {
        "service.name": stream.service}
    assert pipeline["exporters"] == ["otlp_http/loki"]
    for name in pipeline["processors"]:
        for group in document["processors"][name].get("log_statements", ()):
            if group["conditions"] == [f'resource.attributes["service.name"] == "{stream.service}"']:
                for statement in group["statements"]:
                    setting = re.fullmatch(r'set\(resource\.attributes\["(.+)"\], "(.*)"\)', statement)
                    assert setting is not None, statement  # a statement of another shape than the stream's labels
                    key, value = setting.groups()
                    attributes[key] = value
    return attributes


def test_every_stream_reaches_loki_with_the_labels_its_retention_selects(built: Path, project: Project) -> None:
    """Over OTLP as from files; and Loki indexes each label (service_name from service.name, the others
    from its otlp_config), so {service_name="rag-engine", env="production"} keeps rag-engine 14 days."""
    document = read_yaml(built / "otelcol/config.yaml")
    loki = read_yaml(built / "loki/loki.yaml")["limits_config"]
    indexed = {"service_name"} | {attribute.replace(".", "_")
                                  for rule in loki["otlp_config"]["resource_attributes"]["attributes_config"]
                                  if rule["action"] == "index_label" for attribute in rule["attributes"]}
    selectors = {rule["selector"] for rule in loki["retention_stream"]}
    streams = project.all(LogStream)
    assert any(not stream.paths and stream.labels for stream in streams)  # rag-engine: OTLP only
    for stream in streams:
        assert stream.selector in selectors
        labels = {key.replace(".", "_"): value for key, value in _attributes_set(document, stream).items()}
        assert set(stream.index_labels) <= indexed, stream.name
        assert {k: labels.get(k) for k in stream.index_labels} == stream.index_labels, stream.name


def test_log_statements_name_only_log_paths(built: Path) -> None:
    document = read_yaml(built / "otelcol/config.yaml")
    document["processors"]["transform/stream_labels"]["log_statements"][0]["statements"].append(
        'set(span.attributes["env"], "production")')
    with pytest.raises(SchemaError, match="cannot use span paths"):
        validate(document)


STANZA_DEFAULT_PRESET = {"trace", "debug", "info", "warn", "warning", "error", "err", "fatal"}
"""Level names stanza's default severity preset maps (pkg/stanza/operator/helper/severity_builder.go), lower-cased."""


def test_every_level_a_service_writes_gets_a_severity(built: Path) -> None:
    """Python's CRITICAL is in no preset: without a mapping the collector sent it as severity UNSPECIFIED, below
    every error filter in Grafana and Tempo."""
    receivers = read_yaml(built / "otelcol/config.yaml")["receivers"]
    files = [r for name, r in receivers.items() if name.startswith("file_log")]
    assert files
    written = {level.strip().lower() for level in re.split(r",|\bor\b", LOG_FIELDS["level"])}
    assert written == {"debug", "info", "warning", "error", "critical"}
    for receiver in files:
        severity = receiver["operators"][0]["severity"]
        mapped = {str(value).lower() for values in (severity.get("mapping") or {}).values()
                  for value in (values if isinstance(values, list) else [values])}
        assert written <= STANZA_DEFAULT_PRESET | mapped
        assert severity["mapping"]["fatal"] == "critical"
