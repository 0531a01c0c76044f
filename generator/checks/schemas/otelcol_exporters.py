"""OpenTelemetry Collector contrib 0.162.0 exporter and extension settings, the subset obsgen writes.

Mirrors exporter/exporterhelper (README and queuebatch config.go: retry_on_failure, sending_queue with its
batch and persistent storage), exporter/otlpexporter (type otlp_grpc since 0.144), exporter/otlphttpexporter
(otlp_http), exporter/zipkinexporter, exporter/prometheusexporter, extension/healthcheckextension and
extension/storage/filestorage at v0.162.0. Receivers, processors and connectors are in
generator.checks.schemas.otelcol_components.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from generator.checks.schemas import Strict
from generator.checks.schemas.otelcol_components import ReceiverRetry

Sizer = Literal["requests", "items", "bytes"]


class RetryOnFailure(ReceiverRetry):
    """An exporter's retry_on_failure (exporterhelper): the file_log receiver's keys, other defaults, and a
    multiplier."""

    enabled: bool = True
    initial_interval: str = "5s"
    max_elapsed_time: str = "300s"
    multiplier: float = 1.5


class QueueBatch(Strict):
    """sending_queue.batch: batching in the exporter, after the queue (and its storage)."""

    flush_timeout: str = "200ms"
    min_size: int = Field(default=8192, ge=0)
    max_size: int = Field(default=0, ge=0)
    sizer: Literal["items", "bytes"] | None = None  # "batch supports only items or bytes sizer"


class SendingQueue(Strict):
    """An exporter's sending_queue (exporterhelper)."""

    enabled: bool = True
    num_consumers: int = Field(default=10, gt=0)
    wait_for_result: bool = False
    block_on_overflow: bool = False
    sizer: Sizer = "requests"
    queue_size: int = Field(default=1000, gt=0)
    storage: str | None = None
    batch: QueueBatch | None = None

    @model_validator(mode="after")
    def _storage_does_not_wait(self) -> SendingQueue:
        if self.storage is not None and self.wait_for_result:
            raise ValueError("`wait_for_result` is not supported with a persistent queue configured with `storage`")
        return self


class Tls(Strict):
    """Client TLS settings."""

    insecure: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""


class OtlpExporter(Strict):
    """exporters.otlp_grpc and exporters.otlp_http (same client settings, different transport)."""

    endpoint: str
    tls: Tls | None = None
    compression: Literal["gzip", "zstd", "snappy", "none", ""] = "gzip"
    timeout: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    retry_on_failure: RetryOnFailure | None = None
    sending_queue: SendingQueue | None = None


class ZipkinExporter(Strict):
    """exporters.zipkin."""

    endpoint: str
    format: Literal["json", "proto"] = "json"
    default_service_name: str = ""


class PrometheusExporter(Strict):
    """exporters.prometheus."""

    endpoint: str
    namespace: str = ""
    const_labels: dict[str, str] = Field(default_factory=dict)
    send_timestamps: bool = False
    metric_expiration: str = "5m"
    enable_open_metrics: bool = False


class HealthCheck(Strict):
    """extensions.health_check."""

    endpoint: str = "localhost:13133"
    path: str = "/"


class FileStorage(Strict):
    """extensions.file_storage: a bbolt database per component in `directory`, which must exist unless
    create_directory."""

    directory: str = "/var/lib/otelcol/file_storage"
    timeout: str = "1s"
    fsync: bool = False
    create_directory: bool = False
    directory_permissions: str = "0750"
    recreate: bool = False
    compaction: dict[str, Any] | None = None


def storage_users(components: dict[str, Any]) -> dict[str, str]:
    """{component: storage extension it names} of file_log receivers (storage) and exporters (sending_queue)."""
    users = {}
    for key, settings in components.items():
        settings = settings or {}
        storage = settings.get("storage") or (settings.get("sending_queue") or {}).get("storage")
        if storage:
            users[key] = storage
    return users


EXPORTERS: dict[str, type[BaseModel]] = {
    "otlp_grpc": OtlpExporter, "otlp_http": OtlpExporter, "zipkin": ZipkinExporter,
    "prometheus": PrometheusExporter,
}
EXTENSIONS: dict[str, type[BaseModel]] = {"health_check": HealthCheck, "file_storage": FileStorage}
