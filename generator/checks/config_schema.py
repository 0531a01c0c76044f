"""Generated configs of servers that cannot run here match their product's reference.

The collector, Tempo and Loki configs (and Loki's rule files) are validated against typed models of the pinned
versions' reference, unknown keys rejected as those servers reject them: a misspelt key fails the build, not the
container's start. The problem is located at the definition the file comes from.

Fix: the message names the file, the key and what is wrong; usually a field of TracingPolicy, TraceStorage or
LogStorage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.schemas import SchemaError
from generator.checks.schemas.loki import validate as validate_loki
from generator.checks.schemas.loki import validate_rules as validate_loki_rules
from generator.checks.schemas.otelcol import validate as validate_otelcol
from generator.checks.schemas.tempo import validate as validate_tempo
from generator.core.errors import Level
from generator.model import Definition, LogStorage, TracingPolicy

CODE = "CF001"
NAME = "config-schema"
LEVEL = Level.ERROR

Validator = Callable[[Any], None]
SCHEMAS: dict[str, tuple[Validator, type[Definition]]] = {
    "otelcol/config.yaml": (validate_otelcol, TracingPolicy),
    "tempo/tempo.yaml": (validate_tempo, TracingPolicy),
    "loki/loki.yaml": (validate_loki, LogStorage),
}
"""Each file with its model and the kind of definition it is generated from."""
LOKI_RULES = "loki/rules/"


def schema_of(path: str) -> tuple[Validator, type[Definition]] | None:
    """The model a generated file must match, and the kind of definition it comes from; None if it has none."""
    if path.startswith(LOKI_RULES):
        return validate_loki_rules, LogStorage
    return SCHEMAS.get(path)


def check(context: Context) -> Iterator[Finding]:
    for path, document in sorted(context.rendered.items()):
        schema = schema_of(path)
        if schema is None:
            continue
        validate, kind = schema
        try:
            validate(document)
        except SchemaError as error:
            causes = context.project.all(kind)
            yield Finding(causes[0] if causes else context.project.stack, f"{path}: {error}")
