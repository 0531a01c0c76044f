"""Read out/exporter/exporter.yml back into the model objects it was generated from, with their locations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from generator.core.bounded_read import read_bounded
from generator.core.errors import Location
from generator.core.untrusted import error_line, load_yaml
from generator.model import BusinessMetric, Database, Definition, ExporterSettings, Forecast

D = TypeVar("D", bound=Definition)
SECTIONS = ("exporter", "databases", "queries", "forecasts")
MAX_BYTES = 16 * 1024 * 1024  # the shipped one is 9 KiB; a hundred forecasts and queries stay under 1 MiB


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class ExporterConfig:
    """Everything the exporter runs: its settings, databases, SQL queries and forecasts."""

    settings: ExporterSettings
    databases: dict[str, Database]
    queries: tuple[BusinessMetric, ...]
    forecasts: tuple[Forecast, ...]


def _location(text: object) -> Location:
    file, _, line = str(text).rpartition(":")
    return Location(file, int(line)) if file and line.isdigit() else Location(str(text), 0)


def _entry(kind: type[D], raw: Any, path: Path, section: str) -> D:
    """One list entry validated by its model; its definitions file:line restored from `defined_at`."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {section}: every entry must be a mapping, got {type(raw).__name__}")
    fields = dict(raw)
    where = _location(fields.pop("defined_at", f"{path}:0"))
    try:
        obj = kind.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{where}: {section} entry {fields.get('name', '?')!r}: "
                          f"{field + ': ' if field else ''}{first['msg'].removeprefix('Value error, ')}") from None
    obj._location = where
    return obj


def load_config(path: Path) -> ExporterConfig:
    """Parse and validate an exporter.yml; ConfigError on anything the exporter could not run."""
    try:  # bounded, and without YAML aliases: an alias bomb of a few hundred bytes would exhaust memory
        documents = load_yaml(read_bounded(path, MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, too large, not YAML, an alias, too deep
        line = error_line(error)
        raise ConfigError(f"{path}{f':{line}' if line else ''}: cannot read the exporter configuration: "
                          f"{getattr(error, 'strerror', None) or error}") from None
    data = documents[0] if len(documents) == 1 else None
    if not isinstance(data, dict) or set(data) - set(SECTIONS):
        raise ConfigError(f"{path}: expected a mapping with the sections {', '.join(SECTIONS)}")
    sections = {name: data.get(name) or [] for name in SECTIONS[1:]}
    for name, entries in sections.items():
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: {name} must be a list")
    try:
        settings = ExporterSettings.model_validate(data.get("exporter") or {})
    except ValidationError as error:
        raise ConfigError(f"{path}: exporter: {error.errors()[0]['msg']}") from None
    databases = {db.name: db for db in (_entry(Database, raw, path, "databases") for raw in sections["databases"])}
    queries = tuple(_entry(BusinessMetric, raw, path, "queries") for raw in sections["queries"])
    forecasts = tuple(_entry(Forecast, raw, path, "forecasts") for raw in sections["forecasts"])
    names = [query.name for query in queries] + [forecast.name for forecast in forecasts]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: query and forecast names must be unique")
    for query in queries:
        if query.database not in databases:
            raise ConfigError(f"{query.location}: query {query.name}: unknown database {query.database!r}")
    return ExporterConfig(settings, databases, queries, forecasts)
