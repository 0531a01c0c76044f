"""Distributed tracing: the services and their declared traffic, and the plan's TRACING_CONFIG.

Sampling is tail sampling in the OpenTelemetry Collector: a trace is kept when any policy keeps it
(critical route, error status, slow, or the default probabilistic share), so the model states the
plan's ratios and the collector target turns them into tail_sampling policies.
"""

import re
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration, parse_seconds
from generator.model.base import Definition, Model

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
ATTRIBUTE_KEY = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.]*$")
HOST_PORT = re.compile(r"^[\w.-]+:\d+$")
JAEGER_OTLP_PORT = 4317  # Jaeger accepts OTLP natively; the collector's jaeger exporter was removed
JAEGER_TELEMETRY_PORT = 8888
"""Where Jaeger v2 serves its own metrics (/metrics, its all-in-one configuration's service.telemetry; the image
listens on every interface, JAEGER_LISTEN_HOST=0.0.0.0)."""
TEMPO_EXPORTER = "otlp_grpc/tempo"
LOKI_EXPORTER = "otlp_http/loki"
"""The collector's exporters to Tempo and Loki: its config names them so, its alerts' `exporter` label too."""


def _ratio(value: float, what: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} {value} must be between 0 and 1")
    return value


class Endpoint(Model):
    """A route a service answers, with the traffic it receives."""

    route: str = Field(description="Route template as the span's route attribute holds it, e.g. /api/checkout.")
    requests_per_second: float = Field(gt=0, description="Declared traffic (peak), requests per second.")
    critical: bool = Field(default=False, description="Keep every trace through this route (plan: 100%).")
    error_ratio: float = Field(default=0.01, description="Share of requests that fail, as declared or measured.")
    spans_per_request: int = Field(default=8, ge=1, description="Average spans in one trace of this route.")
    timeout: Duration = Field(default="10s", description="Longest a request may take; bounds the trace's span.")

    @field_validator("route")
    @classmethod
    def _route(cls, route: str) -> str:
        if not route.startswith("/") or any(c.isspace() for c in route):
            raise ValueError(f"route {route!r} must start with / and contain no spaces")
        return route

    @field_validator("error_ratio")
    @classmethod
    def _error_ratio(cls, value: float) -> float:
        return _ratio(value, "error_ratio")


class Service(Definition):
    """A service that emits traces and logs, with the routes it serves."""

    name: str = Field(description="service.name on its spans and logs (service_name in Loki).")
    version: str = Field(default="", description="service.version it reports, if pinned here.")
    endpoints: tuple[Endpoint, ...] = Field(default=(), description="Routes receiving outside traffic.")

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not SERVICE_NAME.match(name):
            raise ValueError(f"service name {name!r} must be lower-case letters, digits, - or _")
        return name

    @model_validator(mode="after")
    def _unique_routes(self) -> Self:
        routes = [e.route for e in self.endpoints]
        if len(set(routes)) != len(routes):
            raise ValueError(f"service {self.name} declares a route twice: {routes}")
        return self



def critical_routes(services: list[Service]) -> list[str]:
    """Every critical route, sorted and unique: kept whole by tail sampling, and watched for coverage."""
    return sorted({e.route for s in services for e in s.endpoints if e.critical})

class TraceExporter(Model):
    """A trace backend of the plan's exporters block."""

    name: str = Field(description="Exporter name, e.g. jaeger.")
    protocol: Literal["otlp", "jaeger", "zipkin"] = Field(description="What the endpoint speaks.")
    endpoint: str = Field(description="host:port for OTLP, the collector URL for Jaeger or Zipkin.")
    enabled: bool = Field(default=True, description="Whether spans are sent there.")

    @model_validator(mode="after")
    def _endpoint_form(self) -> Self:
        if self.protocol == "otlp" and not HOST_PORT.match(self.endpoint):
            raise ValueError(f"OTLP exporter {self.name}: endpoint {self.endpoint!r} must be host:port")
        if self.protocol != "otlp" and not urlsplit(self.endpoint).hostname:
            raise ValueError(f"{self.protocol} exporter {self.name}: endpoint {self.endpoint!r} must be a URL")
        return self

    @property
    def host(self) -> str:
        """The backend's host name."""
        if self.protocol == "otlp":
            return self.endpoint.split(":")[0]
        return urlsplit(self.endpoint).hostname or ""

    @property
    def collector_exporter(self) -> str:
        """The collector's exporter sending to it: its config names it so, its alerts' `exporter` label too."""
        return f"zipkin/{self.name}" if self.protocol == "zipkin" else f"otlp_grpc/{self.name}"

    @property
    def mapping(self) -> str:
        """How the plan's endpoint is honoured, when it cannot be as written ("" when it can)."""
        if self.protocol != "jaeger":
            return ""
        return (f"trace exporter {self.name}: {self.endpoint} is Jaeger's Thrift collector, and the collector's "
                f"jaeger exporter no longer exists; spans go to {self.host}:{JAEGER_OTLP_PORT} over OTLP, "
                "which Jaeger accepts natively")


class RequiredAttribute(Model):
    """An attribute every span and log line must carry (the plan's attributes block)."""

    name: str = Field(description="The plan's name, e.g. user_id.")
    key: str = Field(default="", description="Attribute key on spans and logs; the plan's name when empty.")
    scope: Literal["span", "resource"] = Field(default="span", description="Span attribute or resource attribute.")

    @model_validator(mode="after")
    def _key(self) -> Self:
        if not ATTRIBUTE_KEY.match(self.attribute):
            raise ValueError(f"attribute key {self.attribute!r} is not a valid attribute name")
        return self

    @property
    def attribute(self) -> str:
        """The key actually written."""
        return self.key or self.name


MISSING_VALUE = "unknown"
"""Value the collector inserts for a required attribute a service did not set, so the gap is queryable."""


class TraceStorage(Definition):
    """Where Tempo keeps traces and for how long."""

    retention: Duration = Field(default="14d", description="Block retention (compactor).")
    backend: Literal["local", "s3"] = Field(default="local", description="Local disk or an S3 bucket.")
    s3_bucket: str = Field(default="", description="Bucket name when backend is s3.")
    s3_endpoint: str = Field(default="", description="S3 endpoint host[:port] when backend is s3.")
    s3_region: str = Field(default="", description="S3 region, if the endpoint needs one.")
    prometheus_write_url: str = Field(
        default="http://prometheus:9090/api/v1/write", description="Where the metrics-generator remote-writes."
    )

    @model_validator(mode="after")
    def _s3(self) -> Self:
        if self.backend == "s3" and not (self.s3_bucket and self.s3_endpoint):
            raise ValueError("backend s3 needs s3_bucket and s3_endpoint (credentials come from the environment)")
        return self


class TracingPolicy(Definition):
    """The plan's TRACING_CONFIG: sampling ratios, exporters and the attributes every span carries."""

    default_ratio: float = Field(description="Share of ordinary traces kept (plan: sampling.rate).")
    critical_ratio: float = Field(default=1.0, description="Share kept on critical endpoints (plan: 1.0).")
    errors_ratio: float = Field(default=1.0, description="Share of traces with an error kept (plan: 1.0).")
    slow_threshold: Duration | None = Field(default=None, description="Keep every trace slower than this.")
    route_attribute: str = Field(default="http.route", description="Span attribute holding the route.")
    required_attributes: tuple[RequiredAttribute, ...] = Field(default=(), description="Plan's attributes block.")
    exporters: tuple[TraceExporter, ...] = Field(default=(), description="Plan's exporters block.")
    tempo_endpoint: str = Field(default="tempo:4317", description="OTLP gRPC address of the stack's Tempo.")
    loki_endpoint: str = Field(default="http://loki:3100/otlp", description="Loki's OTLP logs endpoint.")
    coverage_target: float = Field(default=0.8, description="Share of critical requests that must be traced.")
    collector_memory_mib: int = Field(default=1024, ge=128, description="Memory the collector container gets.")
    span_memory_bytes: int = Field(default=2048, ge=256, description="Memory one buffered span takes.")

    @model_validator(mode="after")
    def _ratios(self) -> Self:
        for what in ("default_ratio", "critical_ratio", "errors_ratio", "coverage_target"):
            _ratio(getattr(self, what), what)
        if self.slow_threshold is not None and parse_seconds(self.slow_threshold) <= 0:
            raise ValueError("slow_threshold must be positive")
        if not HOST_PORT.match(self.tempo_endpoint):
            raise ValueError(f"tempo_endpoint {self.tempo_endpoint!r} must be host:port")
        names = [e.name for e in self.exporters] + ["tempo"]
        if len(set(names)) != len(names):
            raise ValueError(f"exporter names repeat (tempo is the built-in one): {names}")
        keys = [a.attribute for a in self.required_attributes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"required attributes repeat a key: {keys}")
        return self

    @property
    def zipkin_enabled(self) -> bool:
        """Whether any Zipkin exporter is on; the collector then also accepts Zipkin spans."""
        return any(e.enabled and e.protocol == "zipkin" for e in self.exporters)
