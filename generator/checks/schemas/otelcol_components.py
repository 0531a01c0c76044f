"""OpenTelemetry Collector contrib 0.162.0 receiver, processor and connector settings, the subset obsgen writes.

Mirrors the component READMEs and config.go of opentelemetry-collector(-contrib) at v0.162.0:
receiver/otlpreceiver, receiver/zipkinreceiver, receiver/filelogreceiver (type file_log since
0.149; pkg/stanza json_parser), processor/memorylimiterprocessor, processor/batchprocessor,
processor/attributesprocessor, processor/resourceprocessor, processor/transformprocessor,
processor/tailsamplingprocessor,
connector/spanmetricsconnector (type span_metrics), connector/forwardconnector. Exporters and
extensions are in generator.checks.schemas.otelcol_exporters; the document that names and wires
them is generator.checks.schemas.otelcol.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from generator.checks.schemas import Strict


class Endpoint(Strict):
    """A server or client endpoint."""

    endpoint: str


class Protocols(Strict):
    """OTLP receiver protocols."""

    grpc: Endpoint | None = None
    http: Endpoint | None = None


class OtlpReceiver(Strict):
    """receivers.otlp."""

    protocols: Protocols


class ZipkinReceiver(Strict):
    """receivers.zipkin."""

    endpoint: str
    parse_string_tags: bool = False


class ParseFrom(Strict):
    """A field reference of a stanza parser."""

    parse_from: str


class TimeParser(Strict):
    """json_parser.timestamp."""

    parse_from: str
    layout_type: Literal["strptime", "gotime", "epoch"] = "strptime"
    layout: str = ""
    location: str = ""


class SeverityParser(Strict):
    """json_parser.severity."""

    parse_from: str
    preset: str = ""
    mapping: dict[str, Any] | None = None


class TraceParser(Strict):
    """json_parser.trace."""

    trace_id: ParseFrom | None = None
    span_id: ParseFrom | None = None
    trace_flags: ParseFrom | None = None


class JsonParser(Strict):
    """A json_parser stanza operator."""

    type: Literal["json_parser"]
    id: str = ""
    output: str = ""
    parse_from: str = ""
    parse_to: str = ""
    on_error: Literal["send", "send_quiet", "drop", "drop_quiet"] = "send"
    timestamp: TimeParser | None = None
    severity: SeverityParser | None = None
    trace: TraceParser | None = None


class ReceiverRetry(Strict):
    """file_log retry_on_failure: pause reading and resend a batch the pipeline refused."""

    enabled: bool = False
    initial_interval: str = "1s"
    max_interval: str = Field(default="30s", description="Upper bound of the backoff between retries.")
    max_elapsed_time: str = Field(default="5m", description="Then the batch is dropped; 0: retry forever.")


class FileLogReceiver(Strict):
    """receivers.file_log."""

    include: list[str] = Field(min_length=1)
    exclude: tuple[str, ...] = ()
    start_at: Literal["beginning", "end"] = "end"
    include_file_name: bool = True
    include_file_path: bool = False
    resource: dict[str, str] = Field(default_factory=dict)
    attributes: dict[str, str] = Field(default_factory=dict)
    operators: tuple[JsonParser, ...] = ()
    storage: str | None = None  # a storage extension keeping the file offsets; none: in memory only
    retry_on_failure: ReceiverRetry | None = None


class MemoryLimiter(Strict):
    """processors.memory_limiter."""

    check_interval: str
    limit_mib: int = Field(default=0, ge=0)
    spike_limit_mib: int = Field(default=0, ge=0)
    limit_percentage: int = Field(default=0, ge=0, le=100)
    spike_limit_percentage: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _spike_below_limit(self) -> MemoryLimiter:
        if self.limit_mib and self.spike_limit_mib >= self.limit_mib:
            raise ValueError("spike_limit_mib must be below limit_mib")
        return self


class Batch(Strict):
    """processors.batch."""

    send_batch_size: int = 8192
    send_batch_max_size: int = 0
    timeout: str = "200ms"
    metadata_keys: tuple[str, ...] = ()


class AttributeAction(Strict):
    """One action of the attributes or resource processor."""

    key: str
    action: Literal["insert", "update", "upsert", "delete", "hash", "extract", "convert"]
    value: Any = None
    from_attribute: str = ""
    from_context: str = ""
    pattern: str = ""
    converted_type: str = ""


class AttributesProcessor(Strict):
    """processors.attributes."""

    actions: list[AttributeAction] = Field(min_length=1)


class ResourceProcessor(Strict):
    """processors.resource."""

    attributes: list[AttributeAction] = Field(min_length=1)


ErrorMode = Literal["ignore", "silent", "propagate"]


class StatementGroup(Strict):
    """A transform processor's advanced statement group: statements run where any condition holds."""

    context: Literal["resource", "scope", "log", "span", "spanevent", "metric", "datapoint"] | None = None
    error_mode: ErrorMode | None = None
    conditions: tuple[str, ...] = ()
    statements: list[str] = Field(min_length=1)


class TransformProcessor(Strict):
    """processors.transform: OTTL statements (strings, or groups) by signal."""

    error_mode: ErrorMode = "ignore"
    trace_statements: tuple[str | StatementGroup, ...] = ()
    metric_statements: tuple[str | StatementGroup, ...] = ()
    log_statements: tuple[str | StatementGroup, ...] = ()

    @model_validator(mode="after")
    def _log_paths(self) -> TransformProcessor:
        for entry in self.log_statements:
            texts = [entry] if isinstance(entry, str) else [*entry.conditions, *entry.statements]
            for text in texts:
                # the README's table: log_statements take resource, scope and log paths only
                other = re.search(r"\b(span|spanevent|metric|datapoint)\.", text)
                if other:
                    raise ValueError(f"log_statements cannot use {other[1]} paths: {text}")
        return self


class Latency(Strict):
    """latency policy."""

    threshold_ms: int = Field(ge=0)
    upper_threshold_ms: int = 0


class Probabilistic(Strict):
    """probabilistic policy."""

    sampling_percentage: float = Field(ge=0, le=100)
    hash_salt: str = ""


class StatusCode(Strict):
    """status_code policy."""

    status_codes: list[Literal["OK", "ERROR", "UNSET"]] = Field(min_length=1)


class StringAttribute(Strict):
    """string_attribute policy."""

    key: str
    values: list[str] = Field(min_length=1)
    enabled_regex_matching: bool = False
    cache_max_size: int = 0
    invert_match: bool = False


PolicyType = Literal["always_sample", "latency", "probabilistic", "status_code", "string_attribute", "and"]


class SubPolicy(Strict):
    """A policy inside an and-policy."""

    name: str
    type: PolicyType
    latency: Latency | None = None
    probabilistic: Probabilistic | None = None
    status_code: StatusCode | None = None
    string_attribute: StringAttribute | None = None

    @model_validator(mode="after")
    def _settings_match_type(self) -> SubPolicy:
        given = [k for k in ("latency", "probabilistic", "status_code", "string_attribute", "and_")
                 if getattr(self, k, None) is not None]
        expected = [] if self.type == "always_sample" else ["and_" if self.type == "and" else self.type]
        if given != expected:
            raise ValueError(f"policy {self.name}: type {self.type} takes settings {expected}, got {given}")
        return self


class AndSettings(Strict):
    """and policy."""

    and_sub_policy: list[SubPolicy] = Field(min_length=2)


class Policy(SubPolicy):
    """A tail_sampling policy."""

    and_: AndSettings | None = Field(default=None, alias="and")


class DecisionCache(Strict):
    """tail_sampling.decision_cache."""

    sampled_cache_size: int = 0
    non_sampled_cache_size: int = 0


class TailSampling(Strict):
    """processors.tail_sampling."""

    decision_wait: str = "30s"
    num_traces: int = Field(default=50000, gt=0)
    expected_new_traces_per_sec: int = 0
    decision_cache: DecisionCache | None = None
    sample_on_first_match: bool = False
    drop_pending_traces_on_shutdown: bool = False
    policies: list[Policy] = Field(min_length=1)


class Dimension(Strict):
    """A span_metrics dimension."""

    name: str
    default: str | None = None


class Explicit(Strict):
    """Explicit histogram buckets."""

    buckets: list[str] = Field(min_length=1)


class Histogram(Strict):
    """span_metrics.histogram."""

    unit: Literal["ms", "s"] = "ms"
    disable: bool = False
    explicit: Explicit | None = None


class Exemplars(Strict):
    """span_metrics.exemplars."""

    enabled: bool = False
    max_per_data_point: int = 0


class SpanMetrics(Strict):
    """connectors.span_metrics."""

    namespace: str = "traces.span.metrics"
    histogram: Histogram | None = None
    dimensions: tuple[Dimension, ...] = ()
    exclude_dimensions: tuple[str, ...] = ()
    exemplars: Exemplars | None = None
    metrics_flush_interval: str = "60s"
    metrics_expiration: str = "0s"
    aggregation_temporality: Literal["AGGREGATION_TEMPORALITY_CUMULATIVE", "AGGREGATION_TEMPORALITY_DELTA"] = (
        "AGGREGATION_TEMPORALITY_CUMULATIVE")


class Forward(Strict):
    """connectors.forward."""


RECEIVERS: dict[str, type[BaseModel]] = {"otlp": OtlpReceiver, "zipkin": ZipkinReceiver, "file_log": FileLogReceiver}
PROCESSORS: dict[str, type[BaseModel]] = {
    "memory_limiter": MemoryLimiter, "batch": Batch, "attributes": AttributesProcessor,
    "resource": ResourceProcessor, "transform": TransformProcessor, "tail_sampling": TailSampling,
}
CONNECTORS: dict[str, type[BaseModel]] = {"span_metrics": SpanMetrics, "forward": Forward}

