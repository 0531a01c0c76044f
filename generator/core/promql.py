"""PromQL, parsed once by a real parser (promql-parser), and the facts obsgen needs from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import promql_parser

from generator.core.duration import format_seconds, parse_seconds


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


RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets", "absent", "absent_over_time"})
"""Functions that read a counter meaningfully: its raw value only grows, so anything else misleads."""

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
def names_if_valid(expr: str) -> frozenset[str]:
    """The metric names an expression reads, or none when it does not parse (a check reports that)."""
    try:
        return metric_names(expr)
    except PromQLError:
        return frozenset()


def metric_names(expr: str) -> frozenset[str]:
    """Names of the series an expression reads (selectors without a fixed name are skipped)."""
    return frozenset(s.name for s in selectors(expr) if s.name)


def _range_seconds(node: Any, found: list[float]) -> None:
    kind = type(node).__name__
    if kind == "MatrixSelector":
        found.append(node.range.total_seconds())
    elif kind == "SubqueryExpr":
        found.append(node.range.total_seconds())
        _range_seconds(node.expr, found)
    elif kind == "Call":
        for arg in node.args:
            _range_seconds(arg, found)
    elif kind == "BinaryExpr":
        _range_seconds(node.lhs, found)
        _range_seconds(node.rhs, found)
    elif kind in ("AggregateExpr", "ParenExpr", "UnaryExpr"):
        _range_seconds(node.expr, found)


def ranges(expr: str) -> tuple[float, ...]:
    """Seconds of every range window ([5m], and a subquery's [1h:1m] range) in source order."""
    found: list[float] = []
    _range_seconds(parse(expr), found)
    return tuple(found)


_DURATION = r"\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*"
_RANGE = re.compile(rf"\[(\s*)({_DURATION})(\s*)(?::(\s*)({_DURATION})?(\s*))?\]")
_OFFSET = re.compile(rf"\b(offset\s+-?)({_DURATION})")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`""")


def rescale_ranges(expr: str, window: Callable[[str], str], shift: Callable[[str], str]) -> str:
    """The expression with each range window (and subquery range) mapped by window(), offsets and steps by shift().

    String literals (label values, regexes) are left alone; PromQLError if the result does not read the
    windows it should.
    """
    def one_range(match: re.Match[str]) -> str:
        pre, length, mid, colon, step, post = match.groups()
        text = f"[{pre}{window(length)}{mid}"
        if colon is not None:
            text += f":{colon}{shift(step) if step else ''}{post}"
        return text + "]"

    def code(text: str) -> str:
        return _OFFSET.sub(lambda m: m[1] + shift(m[2]), _RANGE.sub(one_range, text))

    pieces: list[str] = []
    position = 0
    for literal in _STRING.finditer(expr):
        pieces += [code(expr[position:literal.start()]), literal[0]]
        position = literal.end()
    result = "".join(pieces) + code(expr[position:])
    expected = tuple(parse_seconds(window(format_seconds(seconds))) for seconds in ranges(expr))
    if ranges(result) != expected:
        raise PromQLError(f"rescaling the ranges of {expr!r} gave {result!r}")
    return result
