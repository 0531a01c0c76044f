"""Generated configs of servers that cannot run here match their product's reference.

The collector, Tempo and Loki configs (and Loki's rule files) are validated against typed models of the pinned
versions' reference, unknown keys rejected as those servers reject them: a misspelt key fails the build, not the
container's start. The problem is located at the definition the file comes from.

Fix: the message names the file, the key and what is wrong; usually a field of TracingPolicy, TraceStorage or
LogStorage.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.schemas import SchemaError
from generator.core.errors import Level
from generator.model import Definition, LogStorage, TracingPolicy

CODE = "CF001"
NAME = "config-schema"
LEVEL = Level.ERROR

Validator = Callable[[Any], None]
SCHEMAS: dict[str, tuple[str, type[Definition]]] = {
    "otelcol/config.yaml": ("otelcol:validate", TracingPolicy),
    "tempo/tempo.yaml": ("tempo:validate", TracingPolicy),
    "loki/loki.yaml": ("loki:validate", LogStorage),
}
"""Each file with its validator (module of generator.checks.schemas: function) and the kind of definition it is
generated from. The models are imported when such a file is rendered: a project without traces or logs does not
pay for building them (a third of the check framework's import time)."""
LOKI_RULES = "loki/rules/"


def _validator(name: str) -> Validator:
    module, function = name.split(":")
    validate: Validator = getattr(importlib.import_module(f"generator.checks.schemas.{module}"), function)
    return validate


def schema_of(path: str) -> tuple[Validator, type[Definition]] | None:
    """The model a generated file must match, and the kind of definition it comes from; None if it has none."""
    if path.startswith(LOKI_RULES):
        return _validator("loki:validate_rules"), LogStorage
    found = SCHEMAS.get(path)
    return (_validator(found[0]), found[1]) if found else None


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
