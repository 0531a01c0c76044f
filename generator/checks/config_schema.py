"""Generated configs of servers that cannot run here match their product's reference.

The collector, Tempo and Loki configs (and Loki's rule files) are validated against typed models of the pinned
versions' reference, unknown keys rejected as those servers reject them: a misspelt key fails the build, not the
container's start. The problem is located at the definition the file comes from.

Fix: the message names the file, the key and what is wrong; usually a field of TracingPolicy, TraceStorage or
LogStorage.

A document found valid is remembered by its digest (core/disk_cache.py), under the schemas' source and pydantic's
release: a build after an edit that leaves these configs as they were neither validates nor builds their models.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.schemas import SchemaError
from generator.core.disk_cache import DiskCache, package_version, source_digest
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


def _named_schema(path: str) -> tuple[str, type[Definition]] | None:
    """The validator's name for a generated file and the kind of definition it comes from, without importing it;
    None if it has none."""
    return ("loki:validate_rules", LogStorage) if path.startswith(LOKI_RULES) else SCHEMAS.get(path)


def schema_of(path: str) -> tuple[Validator, type[Definition]] | None:
    """The model a generated file must match, and the kind of definition it comes from; None if it has none."""
    found = _named_schema(path)
    return (_validator(found[0]), found[1]) if found else None


def _version() -> str:
    """What a verdict depends on besides the document: this check's and the schemas' code, and pydantic."""
    schemas = sorted(str(module) for module in (Path(__file__).parent / "schemas").glob("*.py"))
    return f"pydantic {package_version('pydantic')} {source_digest(__file__, *schemas)}"


def check(context: Context) -> Iterator[Finding]:
    valid = DiskCache(context.project.root, "config-schema", _version())
    try:
        for path, document in sorted(context.rendered.items()):
            if (named := _named_schema(path)) is None:
                continue
            digest = context.digests.get(path)
            key = f"{path}:{digest}" if digest else None
            if key is not None and valid.get(key):
                continue  # valid before: its validator is not even imported
            validator, kind = named
            try:
                _validator(validator)(document)
            except SchemaError as error:
                causes = context.project.all(kind)
                yield Finding(causes[0] if causes else context.project.stack, f"{path}: {error}")
                continue
            if key is not None:
                valid.put(key, True)
    finally:
        valid.save()
