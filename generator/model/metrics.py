"""Metrics: what the system exposes, where each series comes from, and how it is aggregated and kept."""

import re
from enum import StrEnum
from typing import Self

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration
from generator.core.selector_regex import label_matches
from generator.model.base import Definition
from generator.model.identity import FileStem

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RECORDING_RULE_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$")


class MetricType(StrEnum):
    """Prometheus metric types."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"


class Source(StrEnum):
    """Who exports a metric, which decides the scrape job it arrives through."""

    NODE_EXPORTER = "node-exporter"
    APPLICATION = "application"
    SIDECAR = "sidecar-exporter"
    PROMETHEUS = "prometheus"
    ALERTMANAGER = "alertmanager"
    OTEL_COLLECTOR = "otel-collector"
    TEMPO = "tempo"
    LOKI = "loki"
    GRAFANA = "grafana"
    JAEGER = "jaeger"  # Jaeger v2 is an OpenTelemetry Collector build: its own metrics are otelcol_*


def _check_label_names(labels: tuple[str, ...]) -> tuple[str, ...]:
    for label in labels:
        if not LABEL_NAME.match(label) or label.startswith("__"):
            raise ValueError(f"{label!r} is not a valid label name")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels {list(labels)} contain duplicates")
    return labels


class Metric(Definition):
    """A metric family some exporter exposes."""

    name: str = Field(description="Metric family name, e.g. http_request_duration_seconds.")
    type: MetricType = Field(description="counter, gauge, histogram or summary.")
    help: str = Field(min_length=1, description="One-line description, exported as # HELP.")
    source: Source = Field(description="Who exports it.")
    unit: str = Field(default="", description="Base unit (seconds, bytes, percent, ratio, currency...).")
    labels: tuple[str, ...] = Field(default=(), description="Label names the series carry.")
    buckets: tuple[float, ...] = Field(default=(), description="Histogram bucket boundaries.")
    plan_name: str = Field(default="", description="Name the plan used for it, kept findable.")
    whole: bool = Field(
        default=False, description="A gauge counting things (failed runs in a row, alerts queued, processes): its "
        "values are whole numbers, never a fraction of one, and the demo history draws them so.")
    initialised: bool = Field(
        default=False, description="The exporter creates every label value's series at 0 when it starts, as "
        "Prometheus does per rule group and Alertmanager per integration: a series it lacks is gone, not uncounted "
        "yet. Client libraries create a labelled child only at its first use unless the code initialises it.")
    initial_labels: tuple[dict[str, str], ...] = Field(
        default=(), description="Label sets the application creates at 0 at start-up (prometheus_client: "
        "`.labels(...)` without inc(); prometheus.io instrumentation practices, 'avoid missing metrics'): the "
        "series an SLO's absent alert may watch without paging after a restart on a quiet night.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not METRIC_NAME.match(name) or ":" in name:
            raise ValueError(f"{name!r} is not a valid exported metric name (colons are for recording rules)")
        return name

    @field_validator("labels")
    @classmethod
    def _valid_labels(cls, labels: tuple[str, ...]) -> tuple[str, ...]:
        return _check_label_names(labels)

    @model_validator(mode="after")
    def _type_conventions(self) -> Self:
        if self.type is MetricType.COUNTER and not self.name.endswith("_total"):
            raise ValueError(f"counter {self.name!r} must end in _total (OpenMetrics convention)")
        if self.whole and self.type is not MetricType.GAUGE:
            raise ValueError("whole only applies to gauges (the demo draws counters and histograms as counts already)")
        if self.buckets and self.type is not MetricType.HISTOGRAM:
            raise ValueError("buckets only apply to histograms")
        if list(self.buckets) != sorted(set(self.buckets)):
            raise ValueError("histogram buckets must be strictly increasing")
        for labels in self.initial_labels:
            if set(labels) != set(self.labels):  # a child is created with a value for every label, no more
                raise ValueError(f"initial_labels {labels} must give a value to each of the labels {list(self.labels)}")
        return self

    def __hash__(self) -> int:
        """Families go in sets and dict keys; initial_labels holds dicts, which pydantic's field hash cannot take,
        and equal families share these fields anyway."""
        return hash((self.name, self.type, self.source, self.labels, self.buckets, self.initialised))

    def exists_from_start(self, matchers: tuple[tuple[str, str, str], ...]) -> bool:
        """Whether a series of this family that the matchers (label, op, value) select exists from the exporter's
        start, before its first event: unlabelled families are created at registration, initialised ones at start,
        and a selector that selects one of the initial label sets. Matchers on labels the family does not declare
        (job, instance: the scrape's) and a histogram's le (every bucket of a child exists) are the target's."""
        if not self.labels or self.initialised:
            return True
        own = [(label, op, value) for label, op, value in matchers if label in self.labels]
        return any(all(label_matches(op, value, labels[label]) for label, op, value in own)
                   for labels in self.initial_labels)

    def series_names(self) -> tuple[str, ...]:
        """Every series name this family puts in Prometheus."""
        if self.type is MetricType.HISTOGRAM:
            return (f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count")
        if self.type is MetricType.SUMMARY:
            return (self.name, f"{self.name}_sum", f"{self.name}_count")
        return (self.name,)


class RecordingRule(Definition):
    """A series computed by Prometheus, named level:metric:operation."""

    name: str = Field(description="level:metric:operation, e.g. instance:cpu_usage:percent.")
    expr: str = Field(min_length=1, description="PromQL computing it.")
    help: str = Field(default="", description="What the series means.")
    unit: str = Field(default="", description="Unit of the result.")
    labels: dict[str, str] = Field(default_factory=dict, description="Static labels added to the result.")
    group: FileStem = Field(default="recording", description="Rule group (and file) it is written to.")
    plan_name: str = Field(default="", description="Name the plan used for it, kept findable.")

    @field_validator("name")
    @classmethod
    def _convention(cls, name: str) -> str:
        if not RECORDING_RULE_NAME.match(name):
            raise ValueError(f"recording rule {name!r} must be named level:metric:operation")
        return name


class Aggregation(StrEnum):
    """Functions of the plan's METRICS_CONFIG aggregation."""

    AVG = "avg"
    MIN = "min"
    MAX = "max"
    P50 = "p50"
    P90 = "p90"
    P95 = "p95"
    P99 = "p99"

    @property
    def quantile(self) -> float | None:
        """The quantile for pNN functions, None otherwise."""
        return int(self.value[1:]) / 100 if self.value.startswith("p") else None


class AggregationPolicy(Definition):
    """Windows x functions that every listed metric is pre-aggregated into by recording rules: a rule group
    aggregation-<policy>-<window> per window, evaluated as its window asks (derive.aggregation.group_interval: the
    stack's evaluation_interval up to 5m, every 1m up to 1h, every 5m beyond); no field sets it."""

    name: str = Field(description="Policy name, in its rule groups' names (aggregation-<policy>-<window>).")
    metrics: tuple[Metric, ...] = Field(min_length=1, description="Gauges or histograms to aggregate.")
    by: tuple[str, ...] = Field(default=("job",), description="Labels kept; the rule's level.")
    windows: tuple[Duration, ...] = Field(min_length=1, description="e.g. 1m, 5m, 15m, 1h, 1d.")
    functions: tuple[Aggregation, ...] = Field(min_length=1, description="avg, min, max, p50, p95, p99.")

    @field_validator("by")
    @classmethod
    def _valid_by(cls, labels: tuple[str, ...]) -> tuple[str, ...]:
        return _check_label_names(labels)

    @model_validator(mode="after")
    def _aggregatable(self) -> Self:
        for metric in self.metrics:
            if metric.type not in (MetricType.GAUGE, MetricType.HISTOGRAM):
                raise ValueError(f"{metric.name} is a {metric.type}: only gauges and histograms aggregate")
        return self


class RetentionPolicy(Definition):
    """The plan's retention tiers, mapped onto what Prometheus can keep."""

    name: str = Field(description="Policy name.")
    raw: Duration = Field(description="How long raw samples are asked to be kept.")
    aggregated: Duration = Field(description="How long aggregated (recording-rule) series are kept.")
    summary: Duration = Field(description="How long the coarsest aggregates are kept.")
    server_retention: Duration = Field(description="Prometheus --storage.tsdb.retention.time actually used.")
    long_term_url: str = Field(default="", description="remote_write target for recorded series, if any.")


def counter_like(series: str, metric: Metric | None) -> bool:
    """Whether a series only grows: a counter, or a histogram's or summary's _bucket/_count/_sum."""
    if metric is None:
        return False
    return metric.type is MetricType.COUNTER or (
        metric.type in (MetricType.HISTOGRAM, MetricType.SUMMARY) and series.endswith(("_bucket", "_count", "_sum")))
