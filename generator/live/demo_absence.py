"""Gaps in the demo history, so an alert on absent() (an SLO's SLIAbsent) has its firing episode like the others:
the series it asks for have no samples from its `for` and Prometheus' lookback before the episode to its end. An
alert on `x unless on (...) (y and z)` that only asks whether y and z are there (HostMetricsMissing: node-exporter up,
a series it should serve gone) has y cut the same way: one series of the right side, an instant one if it has one.

Backfilled blocks carry no staleness marker, so absent() of a series turns true only a lookback (5m) after its
last sample, as after a Prometheus restart that lost it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.core.promql import (
    ABSENCE_FUNCTIONS,
    LOOKBACK,
    PromQLError,
    Selector,
    absence_asked,
    children,
    matcher_op,
    parse,
    read_selectors,
    unparen,
)
from generator.core.selector_regex import label_matches
from generator.model.project import Project

Wave = Callable[[float], float]


@dataclass(frozen=True)
class Gap:
    """Series of a name whose labels pass the matchers have no samples from start to end."""

    name: str
    matchers: tuple[tuple[str, str, str], ...]
    start: int
    end: int

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        """Whether a generated series falls in the gap's selector."""
        return name == self.name and all(label_matches(op, value, labels.get(label, ""))
                                         for label, op, value in self.matchers)


def _present(node: Any) -> list[Any]:
    """The vector selector nodes of an `unless`'s right side whose vanishing alone empties it, when that side only
    asks whether series are there: none for a side that compares (`unless x == 1` filters by value) or asks absent()."""
    kind = type(node).__name__
    if kind == "VectorSelector":
        return [node] if node.name else []
    if kind == "MatrixSelector":
        return _present(node.vector_selector)
    if kind in ("ParenExpr", "AggregateExpr"):
        return _present(node.expr)
    if kind == "Call" and str(node.func.name) not in ABSENCE_FUNCTIONS:
        return [found for arg in node.args for found in _present(arg)]
    if kind == "BinaryExpr" and str(node.op) in ("and", "unless"):  # y and z: gone if either is; y unless z: if y is
        return _present(node.lhs) + (_present(node.rhs) if str(node.op) == "and" else [])
    return []


def _unless_asked(expr: str) -> list[tuple[Any, Selector]]:
    """For each `unless` whose right side only asks whether series are there, the one selector of that side the
    demo cuts: its first instant one (read with the lookback), else its first."""
    try:
        root = parse(expr)
    except PromQLError:
        return []
    read = read_selectors(root)  # the same nodes the walk meets, so id() matches a node to what is read of it
    chosen: list[tuple[Any, Selector]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        kind = type(node).__name__
        if kind == "BinaryExpr" and str(node.op) == "unless":
            wanted = {id(found) for found in _present(node.rhs)}
            present = [(n, s) for n, s in read if id(n) in wanted]
            instant = [(n, s) for n, s in present if s.instant]
            chosen += (instant or present)[:1]
        if kind != "Call" or str(node.func.name) not in ABSENCE_FUNCTIONS:  # absent(x unless y) never for y
            stack += children(node)
    return chosen


def _either(node: Any) -> list[Any]:
    """The sides of an `a or b or ...` chain (parentheses read through), each of which fires the alert alone; the
    node itself when it is no `or`."""
    node = unparen(node)
    if type(node).__name__ == "BinaryExpr" and str(node.op) == "or":
        return _either(node.lhs) + _either(node.rhs)
    return [node]


def _asked(expr: str) -> list[tuple[Any, Selector]]:
    """The named vector selectors an absent()/absent_over_time() call asks about, with what is read of each, and
    those _unless_asked cuts. Of an `or` of such calls, only the first side's: it fires the alert alone, and emptying
    every side's series (JobMissing asks about each scrape job's `up`) blanked the whole fleet for the episode."""
    unless = _unless_asked(expr) if "unless" in expr else []
    if not any(selector.name for selector in absence_asked(expr)):
        return unless
    try:
        sides = [[(node, selector) for node, selector in read_selectors(side) if selector.asked and selector.name]
                 for side in _either(parse(expr))]
    except PromQLError:
        return []
    return next((asked for asked in sides if asked), []) + unless


def lookback(expr: str) -> float:
    """Seconds an alert reading absent() (or cutting a series for an `unless`) waits, beyond its `for` and ranges,
    after the series' last sample: an instant selector (not a range's) still finds its last sample for the lookback."""
    asked = [*absence_asked(expr), *(selector for _, selector in _unless_asked(expr))]
    return LOOKBACK if any(selector.instant for selector in asked) else 0.0


def gaps(project: Project, breaches: dict[str, tuple[int, int]]) -> list[Gap]:
    """The gap each absent() alert's breach makes in the series it asks for."""
    found = []
    for name, (start, end) in breaches.items():
        for node, selector in _asked(project.alerts[name].condition):
            matchers = tuple((m.name, matcher_op(m), str(m.value)) for m in node.matchers.matchers
                             if m.name != "__name__")
            found.append(Gap(selector.name, matchers, start, end))
    return found


def gapped(name: str, labels: dict[str, str], value: Wave, found: list[Gap]) -> Wave:
    """value, with no sample (NaN, which the blocks skip) inside the gaps that select the series."""
    mine = [(gap.start, gap.end) for gap in found if gap.matches(name, labels)]
    if not mine:
        return value
    return lambda t: math.nan if any(start <= t < end for start, end in mine) else value(t)
