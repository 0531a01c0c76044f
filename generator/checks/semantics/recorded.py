"""What the meaning checks read through recording rules, and how far back: every rule's expression by the series it
records (obsgen's and imported rule sets'), the series an expression reads with the rules followed, and each read's
window and offset, a subquery's offset counted for what is under it.

One reader for all of them, so a recorded series is followed the same way everywhere (SM002, SM020, SM022, SM023),
from the expressions' cached facts (promql.facts: a rule a previous build read is not parsed again)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from generator.checks.base import Context
from generator.core.promql import children, facts, name_of, parse
from generator.model import RuleSet

BASELINE = 3600.0
"""Seconds back from which a read is a baseline (last week's hour), not a wait: a shorter offset is a gap as short
(a range read 5 minutes back still waits its window)."""


def recorded_exprs(context: Context) -> dict[str, str]:
    """Every recording rule's expression by the series it records: obsgen's and imported rule sets' (made once a
    check run, context.derived)."""
    project = context.project
    rules = {name: rule.expr for name, rule in project.recording_rules.items()}
    for rule_set in project.all(RuleSet):
        rules |= {rule.name: rule.expr for rule in rule_set.records()}
    return rules


def series_read(expr: str) -> frozenset[str]:
    """The names of the series an expression reads (`{__name__="x"}` too); none when it does not parse."""
    return frozenset(selector.name for selector in facts(expr).selectors if selector.name)


def through_rules(rules: Mapping[str, str], start: Iterable[str]) -> tuple[set[str], list[str]]:
    """The series names read from `start`, recording rules (recorded_exprs) followed transitively, and the rules'
    expressions on the way."""
    seen = set(start)
    todo, exprs = sorted(seen), []
    while todo:
        expr = rules.get(todo.pop())
        if expr is None:
            continue
        exprs.append(expr)
        found = series_read(expr)
        todo += sorted(found - seen)
        seen |= found
    return seen, exprs


class Read(NamedTuple):
    """A series selector, or a subquery, of an expression and when it reads."""

    name: str
    """The series' name; '' for a subquery (or a selector naming none)."""
    window: float | None
    """Seconds of its range ([1h], a subquery's [1h:5m]); None for an instant selector."""
    back: float
    """Seconds back in time its samples end: its offset, plus those of the subqueries around it."""


def timed_reads(expr: str) -> tuple[Read, ...]:
    """Each selector and subquery of an expression with its window and how far back it reads; none when it does not
    parse. From the facts, which record a selector's offset but not a subquery's: the expression is parsed only when
    it has a subquery and says `offset`."""
    found = facts(expr)
    if found.error:
        return ()
    subqueries = Counter(found.ranges) - Counter(s.window for s in found.selectors if s.window is not None)
    if subqueries and "offset" in expr:
        reads: list[Read] = []
        _timed(parse(expr), 0.0, reads)
        return tuple(reads)
    return (*(Read(s.name, s.window, s.offset) for s in found.selectors),
            *(Read("", window, 0.0) for window in subqueries.elements()))


def _seconds(offset: Any) -> float:
    return float(offset.total_seconds()) if offset else 0.0


def _timed(node: Any, back: float, reads: list[Read]) -> None:
    kind = type(node).__name__
    if kind == "VectorSelector":
        reads.append(Read(name_of(node), None, back + _seconds(node.offset)))
    elif kind == "MatrixSelector":
        selector = node.vector_selector
        reads.append(Read(name_of(selector), node.range.total_seconds(), back + _seconds(selector.offset)))
    elif kind == "SubqueryExpr":
        back += _seconds(node.offset)
        reads.append(Read("", node.range.total_seconds(), back))
        _timed(node.expr, back, reads)
    else:
        for child in children(node):
            _timed(child, back, reads)
