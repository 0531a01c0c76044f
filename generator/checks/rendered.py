"""Checks of what the targets rendered, before anything is written: the configs of servers that cannot run here,
against typed models of their reference (a misspelt key fails the build, not the container's start)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from generator.checks.schemas import SchemaError
from generator.checks.schemas.loki import validate as validate_loki
from generator.checks.schemas.loki import validate_rules as validate_loki_rules
from generator.checks.schemas.otelcol import validate as validate_otelcol
from generator.checks.schemas.tempo import validate as validate_tempo
from generator.core.errors import DefinitionError
from generator.model import Definition, LogStorage, TracingPolicy
from generator.model.project import Project

Validator = Callable[[Any], None]
SCHEMAS: dict[str, tuple[Validator, type[Definition]]] = {
    "otelcol/config.yaml": (validate_otelcol, TracingPolicy),
    "tempo/tempo.yaml": (validate_tempo, TracingPolicy),
    "loki/loki.yaml": (validate_loki, LogStorage),
}
"""Each file with its model and the kind of definition it is generated from."""
LOKI_RULES = "loki/rules/"


def schema_of(path: str) -> tuple[Validator, type[Definition]] | None:
    """The model a generated file must match, and the kind of definition that causes it; None if it has none."""
    if path.startswith(LOKI_RULES):
        return validate_loki_rules, LogStorage
    return SCHEMAS.get(path)


def check_rendered(project: Project, rendered: Mapping[str, Any]) -> None:
    """DefinitionError at the definition a generated config comes from, when the config is not valid."""
    for path, document in rendered.items():
        schema = schema_of(path)
        if schema is None:
            continue
        validate, kind = schema
        try:
            validate(document)
        except SchemaError as error:
            causes = project.all(kind)
            location = causes[0].location if causes else project.stack.location
            raise DefinitionError(location, f"{path}: {error}") from None
