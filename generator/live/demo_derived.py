"""Recorded series the demo computes from what their rules read, so that the numbers a dashboard puts side by side
agree as they would on a real Prometheus: revenue per hour adds up to revenue per day, and an SLO's burn rate is its
error ratio over the error budget, its budget left one minus that (drawn apart, the SLO overview read an SLI of
99.970% on a 99.9% objective beside 54.4% of the budget left, where the rules give 70%).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from generator.checks.semantics.shapes import ARITHMETIC
from generator.core.promql import parse, walk
from generator.model import Metric
from generator.model.metrics import counter_like


@dataclass(frozen=True)
class Increase:
    """`sum [by (...)] (increase(counter[window] offset offset))` of a counter the project defines, or its rate()
    (per_second): the counter is `series` of `metric` (a histogram's `x_bucket`, or the counter itself)."""

    metric: Metric
    window: float
    offset: float
    series: str = ""
    per_second: bool = False


def increase(expr: str, defined: Mapping[str, Metric | None]) -> Increase | None:
    """What a rule that sums the increase (or rate) of one unfiltered counter reads (None for any other rule)."""
    node = parse(expr)
    if type(node).__name__ != "AggregateExpr" or str(node.op) != "sum":
        return None
    call = node.expr
    if type(call).__name__ != "Call" or call.func.name not in ("increase", "rate") \
            or type(call.args[0]).__name__ != "MatrixSelector":
        return None
    selector = call.args[0].vector_selector
    metric = defined.get(selector.name)
    if metric is None or not counter_like(selector.name, metric) or selector.matchers.matchers:
        return None
    offset = selector.offset.total_seconds() if selector.offset else 0.0
    return Increase(metric, call.args[0].range.total_seconds(), offset, selector.name, call.func.name == "rate")


def _value(node: Any, x: float) -> float:
    kind = type(node).__name__
    if kind == "NumberLiteral":
        return float(node.val)
    if kind == "VectorSelector":
        return x
    if kind == "ParenExpr":
        return _value(node.expr, x)
    if kind == "UnaryExpr":
        return -_value(node.expr, x)
    left, right = _value(node.lhs, x), _value(node.rhs, x)
    if str(node.op) == "/" and right == 0:  # as Prometheus divides: ±Inf, or NaN for 0 / 0
        return math.copysign(math.inf, left) if left else math.nan
    return ARITHMETIC[str(node.op)](left, right)


def arithmetic(expr: str, recorded: Mapping[str, object]) -> tuple[str, Callable[[float], float]] | None:
    """For a rule that is arithmetic of one recorded series and numbers (`x / 0.001`, `1 - x`): that series' name
    and the rule's value as a function of its value, sample by sample (None for any other rule)."""
    tree = parse(expr)
    inputs: list[str] = []
    for node in walk(tree):
        kind = type(node).__name__
        if kind == "VectorSelector":
            if node.name not in recorded or node.matchers.matchers or node.offset or node.at:
                return None
            inputs.append(node.name)
        elif kind == "BinaryExpr":
            if str(node.op) not in ARITHMETIC or node.modifier is not None:
                return None
        elif kind not in ("NumberLiteral", "ParenExpr", "UnaryExpr"):
            return None
    if len(inputs) != 1:
        return None
    return inputs[0], lambda x: _value(tree, x)


@dataclass(frozen=True)
class Extreme:
    """`max by (...) (series)` or `min by (...) (series)` of one unfiltered series: a job up while one replica is."""

    op: str
    series: str
    by: tuple[str, ...]


def extreme(expr: str) -> Extreme | None:
    """What a rule taking the max or min of one unfiltered series by some labels reads (None for any other rule)."""
    node = parse(expr)
    if type(node).__name__ != "AggregateExpr" or str(node.op) not in ("max", "min") or node.param is not None:
        return None
    inner, modifier = node.expr, node.modifier
    if type(inner).__name__ != "VectorSelector" or inner.matchers.matchers or inner.offset or inner.at \
            or modifier is None or str(modifier.type).lower().endswith("without"):
        return None
    return Extreme(str(node.op), inner.name, tuple(modifier.labels))
