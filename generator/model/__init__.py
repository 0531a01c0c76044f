"""The vocabulary of definitions/: typed, validated at construction, no I/O."""

from generator.model.alerts import Alert, Example
from generator.model.base import Definition
from generator.model.duration import Duration
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
from generator.model.sli import BoolGaugeSLI, LatencySLI, RatioSLI
from generator.model.slo import SLO, BurnWindow, SLOAlerting
from generator.model.stack import ScrapeJob, Stack

__all__ = [
    "SLO",
    "Aggregation",
    "AggregationPolicy",
    "Alert",
    "AlertingConfig",
    "BoolGaugeSLI",
    "BurnWindow",
    "Channel",
    "Definition",
    "Duration",
    "EmailChannel",
    "EscalationLevel",
    "EscalationPolicy",
    "Example",
    "LatencySLI",
    "Metric",
    "MetricType",
    "PagerDutyChannel",
    "RatioSLI",
    "RecordingRule",
    "RetentionPolicy",
    "SLOAlerting",
    "ScrapeJob",
    "Severity",
    "SlackChannel",
    "Smtp",
    "Source",
    "Stack",
    "WebhookChannel",
]
