"""Structured logs: the JSON line format, the streams services write, Loki's retention, LogQL rules.

Every log line is one JSON object with the fields of LOG_FIELDS plus the tracing policy's required
attributes; trace_id and span_id tie it to the span that was active when it was written.
"""

import re

from pydantic import Field, field_validator

from generator.core.duration import Duration
from generator.model.alerts import AlertRule
from generator.model.base import Definition
from generator.model.identity import FileStem
from generator.model.metrics import LABEL_NAME, RecordingRule
from generator.model.tracing import SERVICE_NAME

LOG_FIELDS: dict[str, str] = {
    "timestamp": "RFC 3339 time with milliseconds, UTC",
    "level": "DEBUG, INFO, WARNING, ERROR or CRITICAL",
    "message": "the formatted log message",
    "logger": "name of the logger that wrote it",
    "service": "service.name of the process",
    "trace_id": "32 hex digits of the active trace, empty outside a span",
    "span_id": "16 hex digits of the active span, empty outside a span",
    "service_version": "service.version of the process",
}
"""Fields every JSON log line carries, before the tracing policy's required attributes."""

SERVICE_LABEL = "service_name"  # the index label Loki derives from service.name
TRACE_ID_METADATA = "trace_id"  # the structured metadata Loki keeps an OTLP record's trace id as
STREAM_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class LogStorage(Definition):
    """Loki's defaults: how long logs are kept and how often rules are evaluated."""

    retention: Duration = Field(default="30d", description="Retention of streams without their own.")
    evaluation_interval: Duration = Field(default="1m", description="How often the ruler evaluates LogQL rules.")
    alertmanager_url: str = Field(default="http://alertmanager:9093", description="Where the ruler sends alerts.")
    prometheus_write_url: str = Field(
        default="http://prometheus:9090/api/v1/write", description="remote_write target of LogQL recording rules."
    )


class LogStream(Definition):
    """The logs of one service, as Loki indexes and keeps them."""

    name: str = Field(description="Stream name, e.g. api.")
    service: str = Field(description="Name of the Service writing it; becomes the service_name label.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra static index labels (low cardinality).")
    retention: Duration | None = Field(default=None, description="Retention of this stream, if not the default.")
    paths: tuple[str, ...] = Field(default=(), description="JSON log files the collector tails; none: OTLP only.")

    @field_validator("name", "service")
    @classmethod
    def _names(cls, name: str) -> str:
        if not STREAM_NAME.match(name) or not SERVICE_NAME.match(name):
            raise ValueError(f"{name!r} must be lower-case letters, digits, - or _")
        return name

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for label in labels:
            if not LABEL_NAME.match(label) or label == SERVICE_LABEL or label.startswith("__"):
                raise ValueError(f"label {label!r} is invalid or reserved (service_name comes from service)")
        return labels

    @property
    def index_labels(self) -> dict[str, str]:
        """Every index label of the stream, service_name first."""
        return {SERVICE_LABEL: self.service, **dict(sorted(self.labels.items()))}

    @property
    def selector(self) -> str:
        """LogQL stream selector matching exactly this stream."""
        return "{" + ", ".join(f'{k}="{v}"' for k, v in self.index_labels.items()) + "}"


class LogAlert(AlertRule):
    """A LogQL alerting rule evaluated by Loki's ruler and routed by severity like every other alert."""

    expr: str = Field(min_length=1, description="LogQL metric query with a comparison, e.g. ... > 5.")
    group: FileStem = Field(default="log-alerts", description="Rule group (and file) it is written to.")


class LogRecordingRule(Definition):
    """A LogQL recording rule; Loki's ruler remote-writes the series to Prometheus."""

    name: str = Field(description="level:metric:operation, e.g. service:log_errors:rate5m.")
    expr: str = Field(min_length=1, description="LogQL metric query.")
    labels: dict[str, str] = Field(default_factory=dict, description="Static labels added to the result.")
    group: FileStem = Field(default="log-recording", description="Rule group (and file) it is written to.")

    _convention = field_validator("name")(classmethod(lambda cls, name: RecordingRule._convention(name)))
