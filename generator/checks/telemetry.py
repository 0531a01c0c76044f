"""Checks of out/otelcol, out/tempo and out/loki, which no tool here can load: typed models, LogQL,
trace coverage of critical endpoints and the collector's tail-sampling memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.checks.config_schema import LOKI_RULES, SCHEMAS, schema_of
from generator.checks.schemas import SchemaError
from generator.checks.tools import Result
from generator.checks.trace_coverage import CoverageError, coverage
from generator.core.untrusted import FileError, read_yaml_document
from generator.model.project import Project
from generator.model.trace_sizing import size
from generator.model.tracing import Service, TracingPolicy

DETAILED = "trace coverage"
"""Results whose output is worth printing even when they pass (the per-endpoint coverage)."""


def _schema(out: Path, relative: str, validate: Callable[[Any], None]) -> Result:
    try:  # out/ as GitOps ships it, maybe edited since the build: bounded, no key written twice
        validate(read_yaml_document(out / relative))
    except (SchemaError, FileError) as error:
        return Result(f"schema {relative}", False, str(error))
    return Result(f"schema {relative}", True, "")


def schema_results(out: Path) -> list[Result]:
    """Every generated config and Loki rule file against its product's model."""
    paths = [relative for relative in SCHEMAS if (out / relative).exists()]
    paths += [str(rules.relative_to(out)) for rules in sorted((out / LOKI_RULES).glob("*/*.yaml"))]
    return [_schema(out, relative, schema[0]) for relative in paths if (schema := schema_of(relative))]


def tracing_results(out: Path, project: Project) -> list[Result]:
    """Coverage of critical endpoints by the generated sampling, and the tail-sampling memory estimate."""
    config_file = out / "otelcol/config.yaml"
    if not config_file.exists():
        return []
    policies = project.all(TracingPolicy)
    if not policies:
        return [Result(DETAILED, False, f"{config_file} exists but {project.root.name}/ declares no TracingPolicy")]
    services = project.all(Service)
    sizing = size(policies[0], services)
    results = [Result(f"collector memory: {sizing.summary()}", sizing.fits, "")]
    try:
        config = read_yaml_document(config_file)
        if not isinstance(config, dict):
            raise FileError(config_file, "not a collector configuration: a mapping is expected")
        report = coverage(policies[0], services, config)
    except (CoverageError, KeyError, FileError) as error:
        return [*results, Result(DETAILED, False, str(error))]
    detail = "\n".join(str(endpoint) for endpoint in report.endpoints)
    return [*results, Result(f"{DETAILED}: {report.summary()}", report.ok, detail)]


def run_all(out: Path, project: Project) -> list[Result]:
    """Every traces-and-logs check of out/, against the loaded definitions."""
    return schema_results(out) + tracing_results(out, project)
