"""The vocabulary of definitions/: typed, validated at construction, no I/O."""

from generator.model.alerts import Alert, Example
from generator.model.base import Definition
from generator.model.duration import Duration
from generator.model.logs import LogAlert, LogRecordingRule, LogStorage, LogStream
from generator.model.metrics import (
    Aggregation,
    AggregationPolicy,
    Metric,
    MetricType,
    RecordingRule,
    RetentionPolicy,
    Source,
)
from generator.model.notify import (
    AlertingConfig,
    Channel,
    EmailChannel,
    EscalationLevel,
    EscalationPolicy,
    PagerDutyChannel,
    Severity,
    SlackChannel,
    Smtp,
    WebhookChannel,
)
from generator.model.stack import ScrapeJob, Stack
from generator.model.tracing import (
    Endpoint,
    RequiredAttribute,
    Service,
    TraceExporter,
    TraceStorage,
    TracingPolicy,
)

__all__ = [
    "Aggregation",
    "AggregationPolicy",
    "Alert",
    "AlertingConfig",
    "Channel",
    "Definition",
    "Duration",
    "EmailChannel",
    "Endpoint",
    "EscalationLevel",
    "EscalationPolicy",
    "Example",
    "LogAlert",
    "LogRecordingRule",
    "LogStorage",
    "LogStream",
    "Metric",
    "MetricType",
    "PagerDutyChannel",
    "RecordingRule",
    "RequiredAttribute",
    "RetentionPolicy",
    "ScrapeJob",
    "Service",
    "Severity",
    "SlackChannel",
    "Smtp",
    "Source",
    "Stack",
    "TraceExporter",
    "TraceStorage",
    "TracingPolicy",
    "WebhookChannel",
]
