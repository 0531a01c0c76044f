"""The possible-labels readers the meaning checks share within a build (SM011, SM012, SM014, NT011): each node's and
each recording rule's labels are derived once for all of them, not once per check and per alert reading a rule; and
the labels a rule's result can carry, PromQL's or LogQL's (SM011, NT011)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.checks.base import Context
from generator.checks.semantics.by_text import remembered, strings, text_decides
from generator.core import logql as logql_text
from generator.core.promql import PromQLError, parse
from generator.derive.result_labels import OPEN, Labels, possible_labels_reader

Reader = Callable[[Any], Labels]


def _readers(context: Context) -> dict[bool, Reader]:
    return {here: possible_labels_reader(context.project, here) for here in (True, False)}


def possible_labels_of(context: Context, deployed_here: bool = True) -> Reader:
    """The build's reader of the labels a parsed node's result can carry (derive/result_labels.possible_labels);
    deployed_here False for an imported rule, judged by what its aggregations keep."""
    return context.derived(_readers)[deployed_here]


def _carried(context: Context, expr: str, deployed_here: bool) -> Labels:
    """The labels the expression's result can carry; an imported rule's kept across builds when its text decides."""
    def derived() -> Labels:
        return possible_labels_of(context, deployed_here)(parse(expr))
    if deployed_here or not text_decides(context.project, expr):
        return derived()
    return remembered("labels", expr, derived, list, strings)


def rule_result_labels(context: Context, expr: str, logql: bool, deployed_here: bool = True) -> Labels | None:
    """The labels a rule's result can carry (its PromQL's, or its LogQL's where logql), None where they are not
    known: an open set, a LogQL shape its text does not tell, an expression that does not parse."""
    if logql:
        known = logql_text.result_labels(expr)  # a shape it does not read (a bare range aggregation): not judged
        return None if known is None else tuple(sorted(known))
    try:
        carried = _carried(context, expr, deployed_here)
    except PromQLError:
        return None  # invalid-promql says so
    return None if OPEN in carried else carried
