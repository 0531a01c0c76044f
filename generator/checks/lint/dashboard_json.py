"""Reading Grafana dashboard JSON for lint rules: panels, queries, variable values, parsed selectors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.core.duration import format_seconds
from generator.core.grafana_promql import PARSE_BUILTINS, RATE_INTERVAL, UnknownVariable, interpolate
from generator.core.promql import PromQLError, Selector, selectors

# Durations no one writes by hand, so a parsed window equal to one came from the variable.
RATE_WINDOW = 7 * 3600 + 7 * 60 + 7.007
RANGE_WINDOW = 6 * 3600 + 6 * 60 + 6.006
LINT_BUILTINS = {**PARSE_BUILTINS, RATE_INTERVAL: format_seconds(RATE_WINDOW), "__range": format_seconds(RANGE_WINDOW)}


@dataclass(frozen=True)
class LintContext:
    """What the rules know beyond the dashboard: the series the project defines, and which only grow."""

    series: frozenset[str] = frozenset()
    counters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Query:
    """One PromQL target of a panel, with its selectors when it parses."""

    panel: dict[str, Any]
    target: dict[str, Any]
    selectors: tuple[Selector, ...] = field(default=())
    error: str = ""


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel that is not a row header, those inside collapsed rows included."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def variable_values(dashboard: dict[str, Any]) -> dict[str, str]:
    """A value for every template variable, as Grafana sends it when the dashboard opens ('All' = .*)."""
    values = dict(LINT_BUILTINS)
    for variable in dashboard.get("templating", {}).get("list", []):
        current = variable.get("current", {}).get("value")
        if variable.get("type") == "query" or current in (None, [], "$__all", ["$__all"]):
            values[variable["name"]] = variable.get("allValue") or ".*"
        else:
            values[variable["name"]] = current[0] if isinstance(current, list) else str(current)
    return values


def queries(dashboard: dict[str, Any]) -> Iterator[Query]:
    """Every PromQL target, parsed with the dashboard's variables filled in."""
    values = variable_values(dashboard)
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            expr = target.get("expr", "")
            if not expr:
                continue
            try:
                yield Query(panel, target, selectors(interpolate(expr, values)))
            except UnknownVariable as error:
                yield Query(panel, target, error=f"uses ${error.args[0]}, which the dashboard does not define")
            except PromQLError as error:
                yield Query(panel, target, error=str(error))


def title(panel: dict[str, Any]) -> str:
    """How a finding names a panel."""
    return f"panel {panel.get('title') or '(untitled)'!r} (id {panel.get('id', '?')})"


def without(dashboard: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
    """Panels whose `key` (title, description) is missing or blank."""
    return (panel for panel in panels(dashboard) if not str(panel.get(key) or "").strip())
