"""The shapes of PromQL the meaning checks look for: comparisons, which side of one is watched, and the
series under a node (what recording rules an expression reads through: recorded.py)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.core.promql import FILTERING_OPERATORS, ORDERING, PromQLError, parse, unparen, walk

ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
"""PromQL's arithmetic operators on two numbers (the meaning checks' constants, the demo's derived series)."""


def number(node: Any) -> float | None:
    """The value of a constant expression (`0.05`, `(14.4 * 0.001)`), None for anything reading a series."""
    node = unparen(node)
    kind = type(node).__name__
    if kind == "NumberLiteral":
        return float(node.val)
    if kind == "BinaryExpr" and str(node.op) in ARITHMETIC:
        lhs, rhs = number(node.lhs), number(node.rhs)
        if lhs is not None and rhs is not None and not (str(node.op) == "/" and rhs == 0):
            return float(ARITHMETIC[str(node.op)](lhs, rhs))
    return None


def times_hundred(node: Any) -> Any:
    """x of `100 * x` or `x * 100`, None for anything else."""
    node = unparen(node)
    if type(node).__name__ != "BinaryExpr" or str(node.op) != "*":
        return None
    return node.rhs if number(node.lhs) == 100 else node.lhs if number(node.rhs) == 100 else None


def hundred_over(node: Any) -> tuple[Any, Any] | None:
    """(x, y) of `100 * x / y` (or `x * 100 / y`), which PromQL reads `(100 * x) / y`: the ratio x / y times 100;
    None for anything else."""
    node = unparen(node)
    if type(node).__name__ != "BinaryExpr" or str(node.op) != "/":
        return None
    numerator = times_hundred(node.lhs)
    return None if numerator is None else (numerator, node.rhs)


def names(node: Any) -> set[str]:
    """Series names selected under a node."""
    return {str(n.name) for n in walk(node) if type(n).__name__ == "VectorSelector" and n.name}


def has_selector(node: Any) -> bool:
    """Whether a node reads any series."""
    return any(type(n).__name__ == "VectorSelector" for n in walk(node))


@dataclass(frozen=True)
class Comparison:
    """An ordering comparison: the side it watches and whether it fires when that side is low."""

    watched: Any
    other: Any
    low_is_bad: bool
    choosing: bool = False
    """On the right of `and`/`unless` (a minimum-traffic guard): it chooses which series fire, not their value."""


def comparisons(expr: str) -> list[Comparison]:
    """Every ordering comparison of an expression; none when it does not parse (another check reports that)."""
    try:
        root = parse(expr)
    except PromQLError:
        return []
    found = []
    choosing = {id(inner) for node in walk(root) if type(node).__name__ == "BinaryExpr"
                and str(node.op) in FILTERING_OPERATORS for inner in walk(node.rhs)}
    for node in walk(root):
        if type(node).__name__ != "BinaryExpr" or str(node.op) not in ORDERING:
            continue
        below, chooses = str(node.op).startswith("<"), id(node) in choosing
        if has_selector(node.lhs) or not has_selector(node.rhs):
            found.append(Comparison(node.lhs, node.rhs, low_is_bad=below, choosing=chooses))
        else:  # 0.05 > x: the series is on the right
            found.append(Comparison(node.rhs, node.lhs, low_is_bad=not below, choosing=chooses))
    return found


def plain_series(node: Any) -> str:
    """The series a node is, alone or aggregated (`x`, `avg(x)`, `max by (job) (x)`), '' for anything else."""
    node = unparen(node)
    while type(node).__name__ == "AggregateExpr":
        node = unparen(node.expr)
    return str(node.name or "") if type(node).__name__ == "VectorSelector" else ""
