"""OpenTelemetry Collector contrib 0.162.0 configuration, the subset obsgen writes: the whole config.yaml.

Mirrors the service section of opentelemetry-collector at v0.162.0 (pipelines, telemetry readers) and how
the collector wires components into pipelines. Component keys are `type[/name]`; each type's settings are
checked by its model in generator.checks.schemas.otelcol_components and otelcol_exporters; a component
naming a storage extension needs it defined and started (listed in service.extensions).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from generator.checks.schemas import Strict, check
from generator.checks.schemas.otelcol_components import CONNECTORS, PROCESSORS, RECEIVERS
from generator.checks.schemas.otelcol_exporters import EXPORTERS, EXTENSIONS, storage_users


def _components(kind: str, registry: dict[str, type[BaseModel]], components: dict[str, Any]) -> dict[str, Any]:
    for key, settings in components.items():
        component_type = key.split("/", 1)[0]
        if component_type not in registry:
            raise ValueError(f"unknown {kind} type {component_type!r} in {key!r}; known: {', '.join(sorted(registry))}")
        registry[component_type].model_validate(settings or {})
    return components


class Pipeline(Strict):
    """service.pipelines.<signal>[/name]."""

    receivers: list[str] = Field(min_length=1)
    processors: tuple[str, ...] = ()
    exporters: list[str] = Field(min_length=1)


class Telemetry(Strict):
    """service.telemetry."""

    logs: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)


class Service(Strict):
    """service."""

    extensions: tuple[str, ...] = ()
    telemetry: Telemetry | None = None
    pipelines: dict[str, Pipeline] = Field(min_length=1)


class CollectorConfig(Strict):
    """The whole config.yaml."""

    extensions: dict[str, Any] = Field(default_factory=dict)
    receivers: dict[str, Any] = Field(min_length=1)
    processors: dict[str, Any] = Field(default_factory=dict)
    connectors: dict[str, Any] = Field(default_factory=dict)
    exporters: dict[str, Any] = Field(min_length=1)
    service: Service

    @model_validator(mode="after")
    def _components_and_wiring(self) -> CollectorConfig:
        _components("extension", EXTENSIONS, self.extensions)
        _components("receiver", RECEIVERS, self.receivers)
        _components("processor", PROCESSORS, self.processors)
        _components("connector", CONNECTORS, self.connectors)
        _components("exporter", EXPORTERS, self.exporters)
        for name in self.service.extensions:
            if name not in self.extensions:
                raise ValueError(f"service uses undefined extension {name!r}")
        for component, storage in storage_users({**self.receivers, **self.exporters}).items():
            if storage not in self.service.extensions:
                raise ValueError(f"{component} stores in {storage!r}, which is not an extension of the service")
        fed: set[str] = set()
        read: set[str] = set()
        for name, pipeline in self.service.pipelines.items():
            if name.split("/", 1)[0] not in ("traces", "metrics", "logs"):
                raise ValueError(f"pipeline {name!r} must start with traces, metrics or logs")
            for part, defined in (("receivers", {**self.receivers, **self.connectors}),
                                  ("processors", self.processors),
                                  ("exporters", {**self.exporters, **self.connectors})):
                for component in getattr(pipeline, part):
                    if component not in defined:
                        raise ValueError(f"pipeline {name} uses undefined {part[:-1]} {component!r}")
            read.update(c for c in pipeline.receivers if c in self.connectors)
            fed.update(c for c in pipeline.exporters if c in self.connectors)
        if fed != read or set(self.connectors) - fed:
            raise ValueError(f"every connector must be an exporter of one pipeline and a receiver of another "
                             f"(exported to: {sorted(fed)}, received from: {sorted(read)})")
        return self


def validate(document: Any) -> None:
    """SchemaError unless the document is a collector config of the pinned version's shape."""
    check(CollectorConfig, document, "otelcol")
