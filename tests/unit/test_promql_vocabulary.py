"""core.promql's shared vocabulary, read by the checks and the live demo instead of copies of their own."""

from __future__ import annotations

from typing import get_args

import pytest

from generator.core.promql import COMPARISONS, parse, unparen
from generator.model.alerts import Comparison


def test_the_comparisons_are_prometheus_and_an_alerts_op() -> None:
    assert frozenset(get_args(Comparison)) == COMPARISONS
    for op in COMPARISONS:
        assert str(parse(f"x {op} 1").op) == op


@pytest.mark.parametrize("op", ["+", "and", "or", "unless", "atan2"])
def test_no_other_binary_operator_is_a_comparison(op: str) -> None:
    assert str(parse(f"x {op} y").op) not in COMPARISONS


@pytest.mark.parametrize(("expr", "kind"), [("((x))", "VectorSelector"), ("(x) or (y)", "BinaryExpr"),
                                             ("-(1)", "UnaryExpr"), ("sum((x))", "AggregateExpr")])
def test_unparen_reads_through_the_enclosing_parentheses_only(expr: str, kind: str) -> None:
    assert type(unparen(parse(expr))).__name__ == kind
