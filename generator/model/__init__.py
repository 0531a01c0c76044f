"""The vocabulary of definitions/: typed, validated at construction, no I/O."""

from generator.core.duration import Duration
from generator.model.alerts import Alert, EveryJobAbsent, Example
from generator.model.base import Definition
from generator.model.business import BusinessMetric, Database
from generator.model.check_settings import CheckSettings
from generator.model.dashboards import (
    CustomVariable,
    Dashboard,
    DatasourceVariable,
    GrafanaSettings,
    IntervalVariable,
    QueryVariable,
    VerbatimVariable,
    instance_variable,
    job_variable,
)
from generator.model.exporter import ExporterSettings
from generator.model.forecasts import Capacity, Forecast
from generator.model.grafana_server import GrafanaServer
from generator.model.kubernetes import ClusterEndpoint, Kubernetes
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
    Inhibition,
    PagerDutyChannel,
    Severity,
    SlackChannel,
    Smtp,
    WebhookChannel,
)
from generator.model.panels import ExploreLink, Legend, Link, Panel, PanelKind, Query, Row, Threshold, ValueText
from generator.model.rulesets import AlertOverride, ImportedAlert, ImportedRecord, RuleGroup, RuleSet
from generator.model.sli import BoolGaugeSLI, LatencySLI, RatioSLI
from generator.model.slo import SLO, BurnWindow, SLOAlerting
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
    "SLO",
    "Aggregation",
    "AggregationPolicy",
    "Alert",
    "AlertOverride",
    "AlertingConfig",
    "BoolGaugeSLI",
    "BurnWindow",
    "BusinessMetric",
    "Capacity",
    "Channel",
    "CheckSettings",
    "ClusterEndpoint",
    "CustomVariable",
    "Dashboard",
    "Database",
    "DatasourceVariable",
    "Definition",
    "Duration",
    "EmailChannel",
    "Endpoint",
    "EscalationLevel",
    "EscalationPolicy",
    "EveryJobAbsent",
    "Example",
    "ExploreLink",
    "ExporterSettings",
    "Forecast",
    "GrafanaServer",
    "GrafanaSettings",
    "ImportedAlert",
    "ImportedRecord",
    "Inhibition",
    "IntervalVariable",
    "Kubernetes",
    "LatencySLI",
    "Legend",
    "Link",
    "LogAlert",
    "LogRecordingRule",
    "LogStorage",
    "LogStream",
    "Metric",
    "MetricType",
    "PagerDutyChannel",
    "Panel",
    "PanelKind",
    "Query",
    "QueryVariable",
    "RatioSLI",
    "RecordingRule",
    "RequiredAttribute",
    "RetentionPolicy",
    "Row",
    "RuleGroup",
    "RuleSet",
    "SLOAlerting",
    "ScrapeJob",
    "Service",
    "Severity",
    "SlackChannel",
    "Smtp",
    "Source",
    "Stack",
    "Threshold",
    "TraceExporter",
    "TraceStorage",
    "TracingPolicy",
    "ValueText",
    "VerbatimVariable",
    "WebhookChannel",
    "instance_variable",
    "job_variable",
]
