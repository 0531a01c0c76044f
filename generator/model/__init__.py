"""The vocabulary of definitions/: typed, validated at construction, no I/O."""

from generator.model.alerts import Alert, Example
from generator.model.base import Definition
from generator.model.duration import Duration
from generator.model.kubernetes import Kubernetes
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
from generator.model.rulesets import AlertOverride, ImportedAlert, ImportedRecord, RuleGroup, RuleSet
from generator.model.stack import ScrapeJob, Stack

__all__ = [
    "Aggregation",
    "AggregationPolicy",
    "Alert",
    "AlertOverride",
    "AlertingConfig",
    "Channel",
    "Definition",
    "Duration",
    "EmailChannel",
    "EscalationLevel",
    "EscalationPolicy",
    "Example",
    "ImportedAlert",
    "ImportedRecord",
    "Kubernetes",
    "Metric",
    "MetricType",
    "PagerDutyChannel",
    "RecordingRule",
    "RetentionPolicy",
    "RuleGroup",
    "RuleSet",
    "ScrapeJob",
    "Severity",
    "SlackChannel",
    "Smtp",
    "Source",
    "Stack",
    "WebhookChannel",
]
