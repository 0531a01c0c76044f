"""PromQL, parsed once by a real parser (promql-parser), and the facts obsgen needs from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import promql_parser


@dataclass(frozen=True)
class Selector:
    """A series selector in an expression: the metric name and whether it is under a range."""

    name: str
    ranged: bool
    function: str
    window: float | None = None
    """Seconds of the range selecting it ([5m] -> 300), None outside a range selector."""


class PromQLError(ValueError):
    """An expression that does not parse."""


@lru_cache(maxsize=8192)
def parse(expr: str) -> Any:
    """The AST of an expression; PromQLError with the parser's message if it is not valid PromQL."""
    try:
        return promql_parser.parse(expr)
    except ValueError as error:
        raise PromQLError(f"invalid PromQL {expr!r}: {error}") from None


def _name_of(selector: Any) -> str:
    if selector.name:
        return str(selector.name)
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and str(matcher.op).endswith("Equal"):
            return str(matcher.value)
    return ""


def _walk(node: Any, ranged: bool, function: str, found: list[Selector], window: float | None = None) -> None:
    kind = type(node).__name__
    if kind == "VectorSelector":
        found.append(Selector(_name_of(node), ranged, function, window))
    elif kind == "MatrixSelector":
        _walk(node.vector_selector, True, function, found, node.range.total_seconds())
    elif kind == "Call":
        for arg in node.args:
            _walk(arg, ranged, str(node.func.name), found)
    elif kind == "BinaryExpr":
        _walk(node.lhs, ranged, function, found)
        _walk(node.rhs, ranged, function, found)
    elif kind == "AggregateExpr":
        _walk(node.expr, ranged, function, found)
    elif kind == "SubqueryExpr":
        _walk(node.expr, True, function, found)
    elif kind in ("ParenExpr", "UnaryExpr"):
        _walk(node.expr, ranged, function, found)


@lru_cache(maxsize=8192)
def selectors(expr: str) -> tuple[Selector, ...]:
    """Every series selector in an expression, in source order."""
    found: list[Selector] = []
    _walk(parse(expr), False, "", found)
    return tuple(found)


@lru_cache(maxsize=8192)
def metric_names(expr: str) -> frozenset[str]:
    """Names of the series an expression reads (selectors without a fixed name are skipped)."""
    return frozenset(s.name for s in selectors(expr) if s.name)
