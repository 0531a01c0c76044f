"""Dashboard lint: small named rules over the Grafana dashboard JSON the build renders (one module each).

(Queries that do not parse or read undefined series are XR010/XR011, for every dashboard alike.)

Rules read the JSON Grafana loads, so they apply alike to dashboards built from definitions/, converted from
grafanalib, or imported; a rule module has CODE, NAME (LEVEL when not an error) and
`check(dashboard_json, lint_context)` yielding (panel, message). Each becomes a check of the framework through
DashboardCheck, which finds the panel's definition for the problem's line. Imported dashboards (`lint=False`) are
not linted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.lint import (
    gd001_panel_title,
    gd002_panel_description,
    gd003_panel_unit,
    gd004_counter_rate,
    gd005_rate_interval,
    gd006_datasource_variable,
    gd007_no_overlap,
    gd008_stale_last_value,
    gd009_window_samples,
    gd010_ratio_percent,
    gd011_last_value_outlives_source,
    gd012_unused_variable,
)
from generator.checks.lint.dashboard_json import LintContext, title
from generator.checks.lint.rule_evaluation import recorded_series, shortest_step
from generator.checks.lint.scrape_intervals import scraped_series
from generator.core.errors import Level
from generator.derive.dashboards import dashboards
from generator.model import Dashboard, Definition, conventions
from generator.model.metrics import counter_like

RULES: tuple[ModuleType, ...] = (
    gd001_panel_title, gd002_panel_description, gd003_panel_unit, gd004_counter_rate,
    gd005_rate_interval, gd006_datasource_variable, gd007_no_overlap, gd008_stale_last_value, gd009_window_samples,
    gd010_ratio_percent, gd011_last_value_outlives_source, gd012_unused_variable,
)


def lint(dashboard: dict[str, Any], context: LintContext, rule: ModuleType) -> Iterator[tuple[dict[str, Any], str]]:
    """One rule's findings on one dashboard document: (panel JSON, message)."""
    yield from rule.check(dashboard, context)


def lint_context(context: Context) -> LintContext:
    """The series a project defines, which of them are counters, how often the rendered rule files record theirs,
    Grafana's shortest step, and the jobs scraping each declared metric."""
    series = context.series
    return LintContext(frozenset(series), frozenset(name for name, metric in series.items()
                                                    if counter_like(name, metric)),
                       recorded_series(context.rendered, context.project), shortest_step(context.project),
                       scraped_series(context.project), context.project.stack.prometheus_version)


@dataclass(frozen=True)
class DashboardCheck:
    """A lint rule as a check: run over every rendered dashboard, located at the panel's definition."""

    rule: ModuleType
    CODE: str
    NAME: str
    __doc__: str | None
    LEVEL: Level = Level.ERROR

    def check(self, context: Context) -> Iterator[Finding]:
        linted = context.derived(lint_context)  # once for all the rules
        for dashboard in dashboards(context.project):
            document = context.rendered.get(conventions.dashboard_file(dashboard.folder, dashboard.uid))
            if not dashboard.lint or document is None:
                continue
            panels: dict[str, Definition] = {panel.title: panel for panel in dashboard.all_panels}
            for panel, message in lint(document, linted, self.rule):
                if panel is document:  # a finding about the whole dashboard (GD012's variables)
                    yield Finding(dashboard, f"dashboard {dashboard.name}: {message}")
                    continue
                at: Definition = panels.get(str(panel.get("title", "")), dashboard)
                yield Finding(at, f"dashboard {dashboard.name}: {title(panel)}: {message}")


CHECKS: tuple[DashboardCheck, ...] = tuple(DashboardCheck(rule, rule.CODE, rule.NAME, rule.__doc__,
                                                          getattr(rule, "LEVEL", Level.ERROR)) for rule in RULES)

__all__ = ["CHECKS", "RULES", "Dashboard", "DashboardCheck", "lint", "lint_context"]
