"""Business metrics read from a defined database.

The exporter runs a business metric's SQL on the Database it names; an unknown one would leave the metric empty.

Fix: define the Database (its DSN by environment variable or file), or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, unknown_names
from generator.core.errors import Level
from generator.model import BusinessMetric, Database

CODE = "XR008"
NAME = "unknown-database"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    uses = [(metric, ("database",), metric.database, "") for metric in context.project.all(BusinessMetric)]
    return unknown_names(context, Database, "database", context.project.by_name(Database), uses)
