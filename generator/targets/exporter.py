"""The sidecar exporter's configuration: exporter/exporter.yml (databases by reference, SQL queries, forecasts)."""

from __future__ import annotations

from typing import Any

from generator.model import BusinessMetric, Database, Definition, Forecast
from generator.model.project import Project

CONFIG = "exporter/exporter.yml"
# Metric fields that say nothing to the exporter: it always is the source, SQL metrics have no buckets, and what
# exists from its start is what the rows say (initialisation is a promise of the definitions to the SLO alerts), and
# whether a gauge counts things only shapes the demo history.
NOT_AT_RUNTIME = {"source", "buckets", "initialised", "initial_labels", "whole"}


def entry(project: Project, definition: Definition, exclude: set[str] | None = None) -> dict[str, Any]:
    """One config entry: name first, where it was defined (for the exporter's errors), then its set fields.

    Empty strings and lists are left out: each such field defaults to empty, so the exporter reads the same.
    """
    fields = definition.model_dump(mode="json", exclude=exclude)
    fields = {key: value for key, value in fields.items() if value != "" and value != []}
    return {"name": fields.pop("name"), "defined_at": str(project.relative(definition.location)), **fields}


def config(project: Project) -> dict[str, Any]:
    """exporter.yml."""
    exporter = project.exporter
    return {
        "exporter": exporter.model_dump(mode="json"),
        "databases": [entry(project, db) for db in project.all(Database)],
        "queries": [entry(project, metric, NOT_AT_RUNTIME) for metric in project.all(BusinessMetric)],
        "forecasts": [entry(project, forecast, None if forecast.time_scale != 1.0 else {"time_scale"})
                      for forecast in project.all(Forecast)],
    }


def render(project: Project) -> dict[str, Any]:
    """exporter/exporter.yml when the project declares anything for the exporter to run."""
    if not project.all(BusinessMetric) and not project.all(Forecast):
        return {}
    return {CONFIG: config(project)}
