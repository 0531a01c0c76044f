"""Grafana Tempo 2.10 (monolithic mode) configuration, the subset obsgen writes.

Mirrors docs/sources/tempo/configuration/manifest.md and the configuration reference of Tempo 2.10
(the release the compose stack pins; 3.x drops ingester and compactor and is incompatible): server,
distributor.receivers, ingester, compactor.compaction, metrics_generator (registry, storage with
remote_write, traces_storage, processor), storage.trace (local or s3), overrides.defaults in the
structured format, usage_report. Durations are Go durations.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from generator.checks.schemas import GO_DURATION, Reporting, Strict, check


class Endpoint(Strict):
    """A receiver endpoint."""

    endpoint: str


class OtlpProtocols(Strict):
    """distributor.receivers.otlp.protocols."""

    grpc: Endpoint | None = None
    http: Endpoint | None = None


class Otlp(Strict):
    """distributor.receivers.otlp."""

    protocols: OtlpProtocols


class Receivers(Strict):
    """distributor.receivers (OpenTelemetry Collector receiver configs)."""

    otlp: Otlp | None = None
    zipkin: Endpoint | None = None


class Distributor(Strict):
    """distributor."""

    receivers: Receivers


class Server(Strict):
    """server."""

    http_listen_port: int = 3200
    grpc_listen_port: int = 9095
    log_level: Literal["debug", "info", "warn", "error"] = "info"


class Ingester(Strict):
    """ingester."""

    max_block_duration: str = Field(default="30m", pattern=GO_DURATION)
    trace_idle_period: str = Field(default="5s", pattern=GO_DURATION)


class Compaction(Strict):
    """compactor.compaction."""

    block_retention: str = Field(pattern=GO_DURATION)
    compacted_block_retention: str = Field(default="1h", pattern=GO_DURATION)
    compaction_window: str = Field(default="1h", pattern=GO_DURATION)


class Compactor(Strict):
    """compactor."""

    compaction: Compaction


class RemoteWrite(Strict):
    """A Prometheus remote_write entry of metrics_generator.storage."""

    url: str
    send_exemplars: bool = False


class GeneratorStorage(Strict):
    """metrics_generator.storage."""

    path: str
    remote_write: list[RemoteWrite] = Field(min_length=1)


class Path(Strict):
    """A local path setting."""

    path: str


class Registry(Strict):
    """metrics_generator.registry."""

    external_labels: dict[str, str] = Field(default_factory=dict)
    collection_interval: str = Field(default="15s", pattern=GO_DURATION)


class ProcessorDimensions(Strict):
    """metrics_generator.processor.service_graphs / span_metrics (dimensions only)."""

    dimensions: tuple[str, ...] = ()


class GeneratorProcessor(Strict):
    """metrics_generator.processor."""

    service_graphs: ProcessorDimensions | None = None
    span_metrics: ProcessorDimensions | None = None


class MetricsGenerator(Strict):
    """metrics_generator."""

    metrics_ingestion_time_range_slack: str = Field(default="30s", pattern=GO_DURATION)
    registry: Registry | None = None
    storage: GeneratorStorage
    traces_storage: Path
    processor: GeneratorProcessor | None = None


class S3(Strict):
    """storage.trace.s3 (credentials come from the environment, never from this file)."""

    bucket: str
    endpoint: str
    region: str = ""
    insecure: bool = False
    forcepathstyle: bool = False


class TraceStore(Strict):
    """storage.trace."""

    backend: Literal["local", "s3"]
    wal: Path
    local: Path | None = None
    s3: S3 | None = None


class Storage(Strict):
    """storage."""

    trace: TraceStore


class GeneratorOverrides(Strict):
    """overrides.defaults.metrics_generator."""

    processors: list[Literal["service-graphs", "span-metrics", "local-blocks"]] = Field(min_length=1)


class Defaults(Strict):
    """overrides.defaults."""

    metrics_generator: GeneratorOverrides


class Overrides(Strict):
    """overrides (structured format)."""

    defaults: Defaults


class TempoConfig(Strict):
    """The whole tempo.yaml."""

    stream_over_http_enabled: bool = False
    server: Server
    distributor: Distributor
    ingester: Ingester | None = None
    compactor: Compactor
    metrics_generator: MetricsGenerator
    storage: Storage
    overrides: Overrides
    usage_report: Reporting | None = None


def validate(document: Any) -> None:
    """SchemaError unless the document is a Tempo 2.10 config of the shape obsgen writes."""
    check(TempoConfig, document, "tempo")
