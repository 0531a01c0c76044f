"""Helpers of the cross-reference checks: names looked up, expressions parsed and their series required."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.errors import DefinitionError, Location
from generator.core.promql import RATE_FUNCTIONS, PromQLError, selectors
from generator.model import Definition, Metric
from generator.model.metrics import counter_like


def unique(objects: Iterable[Definition], kind: str) -> None:
    first: dict[str, Location] = {}
    for obj in objects:
        name = getattr(obj, "name")  # noqa: B009
        if name in first:
            raise DefinitionError(obj.location, f"duplicate {kind} name {name!r}, first defined at {first[name]}")
        first[name] = obj.location


def check_expr(
    expr: str, location: Location, series: dict[str, Metric | None], what: str, rated: bool = True
) -> None:
    """Parse an expression and require each series it reads to be defined (and counters rated)."""
    try:
        found = selectors(expr)
    except PromQLError as error:
        raise DefinitionError(location, f"{what}: {error}") from None
    for selector in found:
        if not selector.name:
            continue
        if selector.name not in series:
            raise DefinitionError(
                location,
                f"{what} reads {selector.name!r}, which no Metric or RecordingRule defines "
                "(declare it in definitions/, or fix the name)",
            )
        if rated and counter_like(selector.name, series[selector.name]) and selector.function not in RATE_FUNCTIONS:
            raise DefinitionError(
                location, f"{what} reads counter {selector.name!r} without rate()/increase(): its raw value only grows"
            )


def need(name: str, known: Iterable[str], location: Location, kind: str) -> None:
    known = sorted(known)
    if name not in known:
        raise DefinitionError(location, f"unknown {kind} {name!r}; defined: {', '.join(known) or 'none'}")
