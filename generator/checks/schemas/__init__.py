"""Typed models of the configuration files obsgen writes for servers that cannot run here.

Each module mirrors the upstream reference of the version the compose stack pins, for the subset of
fields obsgen uses; unknown keys are rejected, as Loki and Tempo themselves reject them (the
collector does too), so a misspelt key fails here rather than at container start.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class Strict(BaseModel):
    """A config section: unknown keys are errors. Its validator is built on the first document it checks (as the
    definitions' models are): importing this package (every build does, for SchemaError) builds none, and a
    project whose configs were found valid before never builds them."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Reporting(Strict):
    """Usage reporting to Grafana Labs (Loki's analytics, Tempo's usage_report)."""

    reporting_enabled: bool = True


class SchemaError(ValueError):
    """A configuration document that does not match the product's reference."""


def check(model: type[BaseModel], document: Any, product: str) -> None:
    """Validate a document; SchemaError naming each bad path and why."""
    try:
        model.model_validate(document)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            problems.append(f"{where}: {item['msg']}")
        raise SchemaError(f"{product} config: " + "; ".join(problems)) from None


GO_DURATION = r"^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$"
"""Go's time.ParseDuration syntax: no days or weeks, which Tempo's and Loki's Go durations reject."""
