"""The vocabulary of definitions/: typed, validated at construction, no I/O."""

from generator.model.alerts import Alert, Example
from generator.model.base import Definition
from generator.model.dashboards import (
    CustomVariable,
    Dashboard,
    DatasourceVariable,
    GrafanaSettings,
    QueryVariable,
    instance_variable,
    job_variable,
)
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
from generator.model.panels import ExploreLink, Legend, Link, Panel, PanelKind, Query, Row, Threshold, ValueText
from generator.model.stack import ScrapeJob, Stack

__all__ = [
    "Aggregation",
    "AggregationPolicy",
    "Alert",
    "AlertingConfig",
    "Channel",
    "CustomVariable",
    "Dashboard",
    "DatasourceVariable",
    "Definition",
    "Duration",
    "EmailChannel",
    "EscalationLevel",
    "EscalationPolicy",
    "Example",
    "ExploreLink",
    "GrafanaSettings",
    "Legend",
    "Link",
    "Metric",
    "MetricType",
    "PagerDutyChannel",
    "Panel",
    "PanelKind",
    "Query",
    "QueryVariable",
    "RecordingRule",
    "RetentionPolicy",
    "Row",
    "ScrapeJob",
    "Severity",
    "SlackChannel",
    "Smtp",
    "Source",
    "Stack",
    "Threshold",
    "ValueText",
    "WebhookChannel",
    "instance_variable",
    "job_variable",
]
