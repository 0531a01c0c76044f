"""The vocabulary of definitions/: typed, validated at construction, no I/O."""

from generator.model.alerts import Alert, Example
from generator.model.base import Definition
from generator.model.business import BusinessMetric, Database
from generator.model.duration import Duration
from generator.model.exporter import ExporterSettings
from generator.model.forecasts import Capacity, Forecast
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

__all__ = [
    "Aggregation",
    "AggregationPolicy",
    "Alert",
    "AlertingConfig",
    "BusinessMetric",
    "Capacity",
    "Channel",
    "Database",
    "Definition",
    "Duration",
    "EmailChannel",
    "EscalationLevel",
    "EscalationPolicy",
    "Example",
    "ExporterSettings",
    "Forecast",
    "Metric",
    "MetricType",
    "PagerDutyChannel",
    "RecordingRule",
    "RetentionPolicy",
    "ScrapeJob",
    "Severity",
    "SlackChannel",
    "Smtp",
    "Source",
    "Stack",
    "WebhookChannel",
]
