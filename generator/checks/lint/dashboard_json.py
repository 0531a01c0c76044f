"""Reading Grafana dashboard JSON for lint rules: panels, queries, variable values, parsed selectors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.checks.lint.rule_evaluation import Recorded
from generator.checks.lint.scrape_intervals import Scraped
from generator.core.duration import format_seconds
from generator.core.grafana_promql import PARSE_BUILTINS, RATE_INTERVAL, UnknownVariable, interpolate
from generator.core.grafana_variable_value import opening_values
from generator.core.promql import PromQLError, Selector, parse, selectors
from generator.core.releases import PROMETHEUS_VERSION
from generator.model.identity import GRAFANA_UID, MAX_UID

# Durations no one writes by hand, so a parsed window equal to one came from the variable.
RATE_WINDOW = 7 * 3600 + 7 * 60 + 7.007
RANGE_WINDOW = 6 * 3600 + 6 * 60 + 6.006
INTERVAL_WINDOW = 5 * 3600 + 5 * 60 + 5.005
"""(Given to $__interval by the rules that tell its windows apart: GD005, GD009.)"""
DEFAULT_MIN_STEP = 15.0
"""Grafana's minimum step for a Prometheus data source that sets no timeInterval."""
LINT_BUILTINS = {**PARSE_BUILTINS, RATE_INTERVAL: format_seconds(RATE_WINDOW), "__range": format_seconds(RANGE_WINDOW)}


@dataclass(frozen=True)
class LintContext:
    """What the rules know beyond the dashboard: the series the project defines, and which only grow; the group
    recording each recorded series, the jobs scraping each scraped one, and Grafana's shortest step for the
    Prometheus data source."""

    series: frozenset[str] = frozenset()
    counters: frozenset[str] = frozenset()
    recorded: Mapping[str, Recorded] = field(default_factory=dict)
    min_step: float = DEFAULT_MIN_STEP
    scraped: Mapping[str, tuple[Scraped, ...]] = field(default_factory=dict)
    prometheus_version: str = PROMETHEUS_VERSION
    """The Prometheus release the queries run on (Stack.prometheus_version): how their regexes read."""


@dataclass(frozen=True)
class Query:
    """One PromQL target of a panel, with its selectors when it parses."""

    panel: dict[str, Any]
    target: dict[str, Any]
    selectors: tuple[Selector, ...] = field(default=())
    error: str = ""


def _kind(value: object) -> str:
    """What a JSON value is, as a message says it."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def _objects(value: object, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, object) of each item of a list of objects; ValueError naming the first that is not one."""
    if not isinstance(value, list):
        raise ValueError(f"{where} is {_kind(value)}, not a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValueError(f"{where}[{index}] is {_kind(item)}, not an object")
        yield f"{where}[{index}]", item


def _members(document: dict[str, Any], where: str, **expected: tuple[type, ...]) -> None:
    """ValueError unless each named member, when present and not null, is of one of its types."""
    for key, kinds in expected.items():
        value = document.get(key)
        if value is not None and (not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)):
            wanted = " or ".join(dict.fromkeys(_kind(kind()) for kind in kinds))
            raise ValueError(f"{where}{key} is {_kind(value)}, not {wanted}")


NUMBER = (int, float)


def _check_panels(value: object, where: str) -> None:
    """ValueError naming the first panel (rows' own panels included) that is not what Grafana reads."""
    for at, panel in _objects(value, where):
        _members(panel, f"{at}.", gridPos=(dict,), options=(dict,), fieldConfig=(dict,), title=(str,), type=(str,))
        _members(panel.get("gridPos") or {}, f"{at}.gridPos.", x=NUMBER, y=NUMBER, w=NUMBER, h=NUMBER)
        if panel.get("targets") is not None:
            list(_objects(panel["targets"], f"{at}.targets"))
        if panel.get("panels") is not None:
            _check_panels(panel["panels"], f"{at}.panels")


def shape_problem(document: object) -> str:
    """Why a document is not a Grafana dashboard the lint, check and preview can read ('' when it is one): an
    object whose panels, targets, gridPos and template variables are what Grafana's schema says they are."""
    if not isinstance(document, dict):
        return f"the document is {_kind(document)}, not an object"
    try:
        _members(document, "", uid=(str,), title=(str,), time=(dict,), templating=(dict,), panels=(list,))
        uid = document.get("uid")
        if uid and not GRAFANA_UID.match(uid):
            raise ValueError(f"uid {uid!r} is not a Grafana uid (1 to {MAX_UID} letters, digits, '-' or '_')")
        _check_panels(document.get("panels") or [], "panels")
        variables = (document.get("templating") or {}).get("list")
        for at, variable in _objects([] if variables is None else variables, "templating.list"):
            _members(variable, f"{at}.", name=(str,), current=(dict,), type=(str,))
            if not variable.get("name"):
                raise ValueError(f"{at} has no name")
    except ValueError as error:
        return str(error)
    return ""


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel that is not a row header, those inside collapsed rows included."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def variable_values(dashboard: dict[str, Any]) -> dict[str, str]:
    """A value for every template variable, as the preview opens it and Grafana sends it when the dashboard opens
    (core/grafana_variable_value.opening_value: a query variable, whose options no server gives the lint, `.*`)."""
    return {**LINT_BUILTINS, **opening_values(dashboard)}


def parsed(target: dict[str, Any], values: Mapping[str, str]) -> Any:
    """A target's expression parsed with the variables filled in; None when it has none or it does not parse
    (XR010/XR011 say so)."""
    expr = str(target.get("expr") or "")
    if not expr:
        return None
    try:
        return parse(interpolate(expr, values))
    except (UnknownVariable, PromQLError):
        return None


def queries(dashboard: dict[str, Any], builtins: dict[str, str] | None = None) -> Iterator[Query]:
    """Every PromQL target, parsed with the dashboard's variables filled in (and built-ins given other values:
    {"__interval": format_seconds(INTERVAL_WINDOW)} to tell $__interval's windows)."""
    values = variable_values(dashboard) | (builtins or {})
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
