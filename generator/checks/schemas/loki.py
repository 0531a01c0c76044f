"""Grafana Loki 3.7 configuration and ruler rule files, the subset obsgen writes.

Mirrors docs/sources/shared/configuration.md of Loki 3.7 (the release the compose stack pins): server, common
(path_prefix, filesystem storage, inmemory ring), schema_config (tsdb, schema v13, 24h index period), compactor
(retention_enabled needs delete_request_store), limits_config (retention_period, retention_stream, otlp_config),
ruler (local rule storage, alertmanager_url, external_url and datasource_uid of its alerts' Explore links,
external_labels added to its alerts, remote_write of recording rules), analytics; and the Prometheus-format rule
groups the ruler loads.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from generator.checks.schemas import GO_DURATION, Reporting, Strict, check
from generator.core.logql import metric_query

PROMETHEUS_DURATION = r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$"


class Server(Strict):
    """server."""

    http_listen_port: int = 3100
    grpc_listen_port: int = 9095
    log_level: Literal["debug", "info", "warn", "error"] = "info"


class Filesystem(Strict):
    """common.storage.filesystem."""

    chunks_directory: str
    rules_directory: str = ""


class CommonStorage(Strict):
    """common.storage."""

    filesystem: Filesystem


class KvStore(Strict):
    """A ring's kvstore."""

    store: Literal["inmemory", "memberlist", "consul", "etcd"]


class Ring(Strict):
    """A ring."""

    kvstore: KvStore


class Common(Strict):
    """common."""

    path_prefix: str
    instance_addr: str = ""
    replication_factor: int = 1
    storage: CommonStorage
    ring: Ring


class Index(Strict):
    """schema_config.configs[].index."""

    prefix: str
    period: Literal["24h"]


class PeriodConfig(Strict):
    """schema_config.configs[]."""

    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")
    store: Literal["tsdb"]
    object_store: Literal["filesystem", "s3", "gcs", "azure"]
    schema_: Literal["v13"] = Field(alias="schema")
    index: Index


class SchemaConfig(Strict):
    """schema_config."""

    configs: list[PeriodConfig] = Field(min_length=1)


class Compactor(Strict):
    """compactor."""

    working_directory: str
    compaction_interval: str = Field(default="10m", pattern=GO_DURATION)
    retention_enabled: bool = False
    retention_delete_delay: str = Field(default="2h", pattern=GO_DURATION)
    retention_delete_worker_count: int = 150
    delete_request_store: str = ""

    @model_validator(mode="after")
    def _delete_store(self) -> Compactor:
        if self.retention_enabled and not self.delete_request_store:
            raise ValueError("retention_enabled requires delete_request_store (Loki 3 refuses to start)")
        return self


class RetentionStream(Strict):
    """limits_config.retention_stream[]."""

    selector: str
    priority: int = Field(ge=0)
    period: str = Field(pattern=PROMETHEUS_DURATION)

    @model_validator(mode="after")
    def _selector(self) -> RetentionStream:
        if not (self.selector.startswith("{") and self.selector.endswith("}")):
            raise ValueError(f"retention selector {self.selector!r} must be a stream selector")
        return self


class AttributesConfig(Strict):
    """limits_config.otlp_config.resource_attributes.attributes_config[]."""

    action: Literal["index_label", "structured_metadata", "drop"]
    attributes: list[str] = Field(min_length=1)


class ResourceAttributes(Strict):
    """limits_config.otlp_config.resource_attributes."""

    attributes_config: tuple[AttributesConfig, ...] = ()


class OtlpConfig(Strict):
    """limits_config.otlp_config."""

    resource_attributes: ResourceAttributes


class Limits(Strict):
    """limits_config."""

    retention_period: str = Field(pattern=PROMETHEUS_DURATION)
    retention_stream: tuple[RetentionStream, ...] = ()
    allow_structured_metadata: bool = True
    volume_enabled: bool = False
    otlp_config: OtlpConfig | None = None


class LocalRules(Strict):
    """ruler.storage.local."""

    directory: str


class RuleStorage(Strict):
    """ruler.storage."""

    type: Literal["local"]
    local: LocalRules


class Wal(Strict):
    """ruler.wal."""

    dir: str


class Client(Strict):
    """ruler.remote_write.clients.<name>."""

    url: str


class RemoteWrite(Strict):
    """ruler.remote_write."""

    enabled: bool = False
    clients: dict[str, Client] = Field(default_factory=dict)


class Ruler(Strict):
    """ruler."""

    alertmanager_url: str
    external_url: str = ""
    """Base URL of the Grafana its alerts' source links open (Explore)."""
    datasource_uid: str = ""
    """The Loki data source those Explore links query."""
    external_labels: dict[str, str] = Field(default_factory=dict)
    """Labels the ruler adds to every alert it sends that lacks them (Prometheus' notifier, global external_labels)."""
    enable_api: bool = False
    evaluation_interval: str = Field(default="1m", pattern=GO_DURATION)
    for_grace_period: str = Field(default="10m", pattern=GO_DURATION)
    for_outage_tolerance: str = Field(default="1h", pattern=GO_DURATION)
    rule_path: str
    storage: RuleStorage
    ring: Ring | None = None
    wal: Wal | None = None
    remote_write: RemoteWrite | None = None


class LokiConfig(Strict):
    """The whole loki.yaml."""

    auth_enabled: bool = True
    server: Server
    common: Common
    schema_config: SchemaConfig
    compactor: Compactor
    limits_config: Limits
    ruler: Ruler
    analytics: Reporting | None = None


class Rule(Strict):
    """A ruler rule: alerting (alert) or recording (record), its expression LogQL."""

    alert: str = ""
    record: str = ""
    expr: str
    for_: str = Field(default="0s", alias="for", pattern=PROMETHEUS_DURATION)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _kind_and_expr(self) -> Rule:
        if bool(self.alert) == bool(self.record):
            raise ValueError("a rule has exactly one of alert or record")
        if self.record and (self.annotations or self.for_ != "0s"):
            raise ValueError(f"recording rule {self.record} takes no for or annotations")
        metric_query(self.expr)
        return self


class RuleGroup(Strict):
    """A rule group."""

    name: str
    interval: str = Field(default="", pattern=r"^$|" + PROMETHEUS_DURATION[1:])
    rules: list[Rule] = Field(min_length=1)


class RuleFile(Strict):
    """A rule file under rules/<tenant>/."""

    groups: list[RuleGroup] = Field(min_length=1)


def validate(document: Any) -> None:
    """SchemaError unless the document is a Loki 3.7 config of the shape obsgen writes."""
    check(LokiConfig, document, "loki")


def validate_rules(document: Any) -> None:
    """SchemaError unless the document is a ruler rule file with well-formed LogQL."""
    check(RuleFile, document, "loki rules")
