"""OpenTelemetry Collector (contrib): out/otelcol/config.yaml.

Traces enter one pipeline that enforces the required attributes and computes span metrics from every
span (so rates stay exact), then a forward connector hands them to the sampled pipeline, where
tail_sampling keeps critical routes, errors and slow traces whole and a probabilistic share of the
rest, and exports them to Tempo and the plan's other backends. Logs from OTLP and tailed JSON files
go to Loki's OTLP endpoint, each stream with its declared labels as resource attributes (Loki indexes them):
a file_log receiver sets its stream's, and for streams arriving over OTLP a transform processor sets them by
service.name, in a pipeline of their own so it never relabels a service's tailed files.

Logs survive a collector restart: the file_log receivers keep their file offsets, and the Loki exporter
its queue, in a file_storage extension on a volume (stacks/docker-compose.yml).
"""

from __future__ import annotations

from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.model.logs import LogStream
from generator.model.project import Project
from generator.model.trace_sizing import BATCH_TIMEOUT_S, size
from generator.model.tracing import (
    JAEGER_OTLP_PORT,
    LOKI_EXPORTER,
    MISSING_VALUE,
    TEMPO_EXPORTER,
    Service,
    TraceExporter,
    TracingPolicy,
    critical_routes,
)

CONFIG = "otelcol/config.yaml"
SPAN_METRICS_NAMESPACE = "traces.span.metrics"
SPAN_METRICS_PORT = 8889
TELEMETRY_PORT = 8888
HEALTH_PORT = 13133
STORAGE = "file_storage"
STORAGE_DIRECTORY = "/var/lib/otelcol/file_storage"  # a named volume, owned by the collector's user
LOKI_FLUSH_TIMEOUT_S = 5.0
"""The longest a log line waits in the Loki exporter's queue for a batch to fill (its bound in obsgen latency)."""
DURATION_BUCKETS_MS = ("5ms", "10ms", "25ms", "50ms", "100ms", "250ms", "500ms", "1s", "2500ms", "5s", "10s")


def _policy(name: str, kind: str, config: dict[str, Any], ratio: float) -> dict[str, Any]:
    """A sampling policy keeping `ratio` of the traces it matches (an and-policy when below 1)."""
    matched = {"name": name, "type": kind, kind: config}
    if ratio >= 1.0:
        return matched
    share = {"name": f"{name}-share", "type": "probabilistic",
             "probabilistic": {"sampling_percentage": round(ratio * 100, 4)}}
    return {"name": name, "type": "and", "and": {"and_sub_policy": [{**matched, "name": f"{name}-match"}, share]}}


def sampling_policies(policy: TracingPolicy, services: list[Service]) -> list[dict[str, Any]]:
    """tail_sampling policies of the plan; a trace is kept when any of them keeps it."""
    policies = []
    routes = critical_routes(services)
    if routes:
        policies.append(_policy("critical-endpoints", "string_attribute",
                                {"key": policy.route_attribute, "values": routes}, policy.critical_ratio))
    if policy.errors_ratio > 0:
        policies.append(_policy("errors", "status_code", {"status_codes": ["ERROR"]}, policy.errors_ratio))
    if policy.slow_threshold is not None:
        threshold_ms = int(parse_seconds(policy.slow_threshold) * 1000)
        policies.append({"name": "slow", "type": "latency", "latency": {"threshold_ms": threshold_ms}})
    policies.append({"name": "default", "type": "probabilistic",
                     "probabilistic": {"sampling_percentage": round(policy.default_ratio * 100, 4)}})
    return policies


def _exporter(exporter: TraceExporter) -> tuple[str, dict[str, Any]]:
    if exporter.protocol == "zipkin":
        return exporter.collector_exporter, {"endpoint": exporter.endpoint}
    endpoint = exporter.endpoint if exporter.protocol == "otlp" else f"{exporter.host}:{JAEGER_OTLP_PORT}"
    return exporter.collector_exporter, {"endpoint": endpoint, "tls": {"insecure": True}}


def _file_log(stream: LogStream) -> dict[str, Any]:
    """file_log receiver for a stream's JSON files, lifting level, time and trace context."""
    return {
        "include": list(stream.paths),
        "start_at": "end",  # only for files never seen: the offsets of the others are in storage
        "storage": STORAGE,
        # retry (and stop reading) when the pipeline refuses a batch (memory_limiter, a full queue)
        "retry_on_failure": {"enabled": True},
        "resource": {"service.name": stream.service, **dict(sorted(stream.labels.items()))},
        "operators": [{
            "type": "json_parser",
            "timestamp": {"parse_from": "attributes.timestamp", "layout_type": "gotime",
                          "layout": "2006-01-02T15:04:05.000Z07:00"},
            # the default preset knows Python's levels but CRITICAL: without this it is severity UNSPECIFIED
            "severity": {"parse_from": "attributes.level", "mapping": {"fatal": "critical"}},
            "trace": {"trace_id": {"parse_from": "attributes.trace_id"},
                      "span_id": {"parse_from": "attributes.span_id"}},
        }],
    }


def _ottl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def otlp_stream_labels(streams: list[LogStream]) -> dict[str, Any] | None:
    """transform processor giving the logs of each OTLP-only stream (no paths) its declared labels."""
    groups = [{
        "conditions": [f'resource.attributes["service.name"] == {_ottl_string(stream.service)}'],
        # set, not insert: the declaration is what Loki's retention selector and the LogQL rules select on
        "statements": [f'set(resource.attributes["{label}"], {_ottl_string(value)})'
                       for label, value in sorted(stream.labels.items())],
    } for stream in streams if not stream.paths and stream.labels]
    return {"log_statements": groups} if groups else None


def config(project: Project, policy: TracingPolicy) -> dict[str, Any]:
    """config.yaml for one tracing policy."""
    services = project.all(Service)
    sizing = size(policy, services)
    receivers: dict[str, Any] = {"otlp": {"protocols": {"grpc": {"endpoint": "0.0.0.0:4317"},
                                                        "http": {"endpoint": "0.0.0.0:4318"}}}}
    trace_receivers = ["otlp"]
    if policy.zipkin_enabled:
        receivers["zipkin"] = {"endpoint": "0.0.0.0:9411"}
        trace_receivers.append("zipkin")
    streams = project.all(LogStream)
    file_receivers = []
    for stream in streams:
        if stream.paths:
            receivers[f"file_log/{stream.name}"] = _file_log(stream)
            file_receivers.append(f"file_log/{stream.name}")
    span_attrs = [a for a in policy.required_attributes if a.scope == "span"]
    resource_attrs = [a for a in policy.required_attributes if a.scope == "resource"]
    enforce = []
    processors: dict[str, Any] = {
        "memory_limiter": {"check_interval": "1s", "limit_mib": sizing.limit_mib,
                           "spike_limit_mib": sizing.spike_limit_mib},
    }
    if resource_attrs:
        processors["resource/required"] = {"attributes": [
            {"key": a.attribute, "value": MISSING_VALUE, "action": "insert"} for a in resource_attrs]}
        enforce.append("resource/required")
    if span_attrs:
        processors["attributes/required"] = {"actions": [
            {"key": a.attribute, "value": MISSING_VALUE, "action": "insert"} for a in span_attrs]}
        enforce.append("attributes/required")
    processors["tail_sampling"] = {
        "decision_wait": sizing.decision_wait,
        "num_traces": sizing.num_traces,
        "expected_new_traces_per_sec": max(1, round(sizing.traces_per_second)),
        "decision_cache": {"sampled_cache_size": sizing.decision_cache_size,
                           "non_sampled_cache_size": sizing.decision_cache_size},
        "policies": sampling_policies(policy, services),
    }
    processors["batch"] = {"send_batch_size": 8192, "timeout": format_seconds(BATCH_TIMEOUT_S)}
    otlp_labels = []
    stream_labels = otlp_stream_labels(streams)
    if stream_labels:
        processors["transform/stream_labels"] = stream_labels
        otlp_labels.append("transform/stream_labels")
    exporters: dict[str, Any] = {TEMPO_EXPORTER: {"endpoint": policy.tempo_endpoint, "tls": {"insecure": True}}}
    for exporter in policy.exporters:
        if exporter.enabled:
            name, entry = _exporter(exporter)
            exporters[name] = entry
    trace_exporters = list(exporters)
    # a persistent queue: logs read but not yet sent are exported after a restart; it batches too, after
    # persisting, so the logs pipeline has no batch processor (which would hold them in memory and drop
    # a batch the queue refuses instead of handing the refusal back to the file_log retry)
    exporters[LOKI_EXPORTER] = {"endpoint": policy.loki_endpoint, "sending_queue": {
        "storage": STORAGE, "batch": {"flush_timeout": format_seconds(LOKI_FLUSH_TIMEOUT_S), "min_size": 8192}}}
    # exemplars (the span metrics' trace ids) are only exposed in OpenMetrics
    exporters["prometheus"] = {"endpoint": f"0.0.0.0:{SPAN_METRICS_PORT}", "enable_open_metrics": True}
    connectors = {
        "span_metrics": {
            "namespace": SPAN_METRICS_NAMESPACE,
            "histogram": {"unit": "ms", "explicit": {"buckets": list(DURATION_BUCKETS_MS)}},
            "dimensions": [{"name": policy.route_attribute}],
            "exemplars": {"enabled": True},
            "metrics_flush_interval": "15s",
        },
        "forward/sampling": {},
    }
    pipelines = {
        "traces/in": {"receivers": trace_receivers, "processors": ["memory_limiter", *enforce],
                      "exporters": ["span_metrics", "forward/sampling"]},
        "traces/sampled": {"receivers": ["forward/sampling"], "processors": ["tail_sampling", "batch"],
                           "exporters": trace_exporters},
        "metrics/span_metrics": {"receivers": ["span_metrics"], "processors": ["batch"],
                                 "exporters": ["prometheus"]},
        "logs": {"receivers": ["otlp"], "processors": ["memory_limiter", *otlp_labels, *enforce],
                 "exporters": [LOKI_EXPORTER]},
    }
    if file_receivers:
        pipelines["logs/files"] = {"receivers": file_receivers, "processors": ["memory_limiter", *enforce],
                                   "exporters": [LOKI_EXPORTER]}
    return {
        "extensions": {"health_check": {"endpoint": f"0.0.0.0:{HEALTH_PORT}"},
                       STORAGE: {"directory": STORAGE_DIRECTORY}},
        "receivers": receivers,
        "processors": processors,
        "connectors": connectors,
        "exporters": exporters,
        "service": {
            "extensions": ["health_check", STORAGE],
            "telemetry": {"logs": {"level": "info"}, "metrics": {"readers": [
                {"pull": {"exporter": {"prometheus": {"host": "0.0.0.0", "port": TELEMETRY_PORT}}}}]}},
            "pipelines": pipelines,
        },
    }


def render(project: Project) -> dict[str, Any]:
    """out/otelcol/config.yaml when a tracing policy is declared."""
    policies = project.all(TracingPolicy)
    if not policies:
        return {}
    document = config(project, policies[0])
    return {CONFIG: document}
