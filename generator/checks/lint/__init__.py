"""Dashboard lint: small named rules over Grafana dashboard JSON (one module each, cases in tests/lint_cases).

Rules read the JSON Grafana loads, so they apply alike to dashboards built from definitions/, converted
from grafanalib, or written by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from generator.checks.lint import (
    gd001_panel_title,
    gd002_panel_description,
    gd003_panel_unit,
    gd004_counter_rate,
    gd005_rate_interval,
    gd006_datasource_variable,
    gd007_no_overlap,
    gd008_defined_series,
)
from generator.checks.lint.dashboard_json import Context, title
from generator.checks.tools import Result
from generator.core.errors import Location
from generator.derive.dashboards import dashboards
from generator.derive.series import defined_series
from generator.model.metrics import counter_like
from generator.model.project import Project

RULES: tuple[ModuleType, ...] = (
    gd001_panel_title, gd002_panel_description, gd003_panel_unit, gd004_counter_rate,
    gd005_rate_interval, gd006_datasource_variable, gd007_no_overlap, gd008_defined_series,
)


@dataclass(frozen=True)
class Finding:
    """One problem a rule found in one panel of one dashboard."""

    code: str
    dashboard: str
    panel: str
    message: str
    location: str = ""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.code} dashboard {self.dashboard}: {self.panel}: {self.message}"


def rule(code: str) -> ModuleType:
    """The rule module with this code."""
    return next(r for r in RULES if code == r.CODE)


def describe() -> Iterator[str]:
    """One line per rule: code, name and the first line of its docstring."""
    for module in RULES:
        yield f"{module.CODE}  {module.NAME:<22} {(module.__doc__ or '').strip().splitlines()[0]}"


def lint(dashboard: dict[str, Any], context: Context, rules: tuple[ModuleType, ...] = RULES,
         locations: Mapping[tuple[str, str], Location] | None = None) -> list[Finding]:
    """Every finding of the rules on one dashboard document (located in definitions/ when known)."""
    uid = str(dashboard.get("uid", "?"))
    found = []
    for module in rules:
        for panel, message in module.check(dashboard, context):
            where = (locations or {}).get((uid, str(panel.get("title", ""))))
            found.append(Finding(module.CODE, uid, title(panel), message, str(where) if where else ""))
    return found


def project_context(project: Project) -> Context:
    """The series a project defines, and which of them are counters."""
    series = defined_series(project)
    return Context(frozenset(series), frozenset(name for name, metric in series.items() if counter_like(name, metric)))


def lint_project(project: Project) -> list[Result]:
    """One result per rule over the dashboards compiled from a project, printed like promtool's runs."""
    from generator.targets import grafana

    linted = [d for d in dashboards(project) if d.lint]
    locations = {(d.uid, p.title): project.relative(p.location) for d in linted for p in d.all_panels}
    context = project_context(project)
    findings = [f for d in linted for f in lint(grafana.dashboard_json(project, d), context, RULES, locations)]
    return [Result(f"lint {r.CODE} {r.NAME}", not (mine := [f for f in findings if f.code == r.CODE]),
                   "\n".join(str(f) for f in mine)) for r in RULES]
