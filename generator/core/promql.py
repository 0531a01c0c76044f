"""PromQL, parsed once by a real parser (promql-parser), and the facts obsgen needs from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

import promql_parser

from generator.core import promql_text
from generator.core.disk_cache import DiskCache, package_version, source_digest
from generator.core.duration import format_seconds, parse_seconds
from generator.core.promql_depth import too_deep
from generator.core.promql_text import calls_smoothing, parser_text, rescaled_text


@dataclass(frozen=True)
class Selector:
    """A series selector in an expression: the metric name and whether it is under a range."""

    name: str
    ranged: bool
    function: str
    window: float | None = None
    """Seconds of the range selecting it ([5m] -> 300), None outside a range selector."""
    matchers: frozenset[str] = frozenset()
    """Its label matchers but the name's, as written: 'status=~"5.."'."""
    offset: float = 0.0
    """Seconds its `offset` reads back in time (offset 1w -> 604800)."""
    filters: bool = False
    """Whether it only filters another's series (the right side of `and` / `unless`): the result is not its."""
    asked: bool = False
    """Whether an absent()/absent_over_time() call around it, at any depth, asks whether its series exist; not on
    the right of an `unless` inside the call, whose series only take others' away."""
    asked_alone: bool = False
    """Asked, and that call fires when its series alone vanish: not one side of an `or`, which the other keeps."""

    @property
    def instant(self) -> bool:
        """Whether it is read at an instant, its last sample found for Prometheus' lookback (5m): not a range
        selector's, though maybe under a subquery, which reads it so at each step."""
        return self.window is None


LOOKBACK = 300.0
"""Seconds of Prometheus' default --query.lookback-delta (5m): how old a sample an instant selector still finds."""


class PromQLError(ValueError):
    """An expression that does not parse."""


RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets", "absent", "absent_over_time"})
"""Functions that read a counter meaningfully: its raw value only grows, so anything else misleads."""

@lru_cache(maxsize=8192)
def parse(expr: str) -> Any:
    """The AST of an expression (promql_text.parser_text: as Prometheus reads it); PromQLError with the parser's
    message if it is not valid PromQL."""
    if refused := too_deep(expr):
        raise PromQLError(f"invalid PromQL {expr[:80]!r}...: {refused}")
    try:
        return promql_parser.parse(parser_text(expr))
    except ValueError as error:
        raise PromQLError(f"invalid PromQL {expr!r}: {error}") from None


def children(node: Any) -> list[Any]:
    """The sub-expressions of a parsed node, in source order (an aggregation's parameter first)."""
    kind = type(node).__name__
    if kind == "BinaryExpr":
        return [node.lhs, node.rhs]
    if kind == "AggregateExpr":
        return [node.expr] if node.param is None else [node.param, node.expr]
    if kind == "Call":
        return list(node.args)
    if kind == "MatrixSelector":
        return [node.vector_selector]
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return [node.expr]
    return []


def unparen(node: Any) -> Any:
    """The node without the parentheses enclosing it (`((x))` is x)."""
    while type(node).__name__ == "ParenExpr":
        node = node.expr
    return node


def walk(node: Any) -> Iterator[Any]:
    """The node and every node under it, in source order."""
    stack = [node]  # (not recursive generators: the checks walk every expression, and deep ones cost a frame a level)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


_SELECTOR_FIELDS = tuple(field.name for field in fields(Selector))


@dataclass(frozen=True)
class Facts:
    """What obsgen reads from an expression, as plain values a cache can keep: the parser's error ("" when it
    parses), its selectors and its range windows in source order."""

    error: str
    selectors: tuple[Selector, ...] = ()
    ranges: tuple[float, ...] = ()

    @cached_property
    def stored(self) -> list[Any]:
        """The JSON form kept in the disk cache: each selector as the list of its fields (sets sorted); computed
        once, as the facts of an expression are (a watching build puts them in a new cache each time)."""
        return [self.error, [[sorted(value) if isinstance(value, frozenset) else value
                              for value in (getattr(selector, name) for name in _SELECTOR_FIELDS)]
                             for selector in self.selectors], list(self.ranges)]

    @classmethod
    def from_stored(cls, value: Any) -> Facts:
        """Facts read back from the cache; TypeError or ValueError when the value is not what `stored` holds.

        Checked in place rather than by computing `stored` again and comparing (a build reads back every
        expression's facts: 1257 for kube-prometheus, 12-15 ms): the value is `stored`'s exactly when the error is
        a string, each selector a list of its fields whose sets are lists sorted without repeats, and the windows
        equal their floats. It then is `stored`, which the build puts back in the cache."""
        error, found, windows = value
        if not (isinstance(error, str) and type(found) is list and type(windows) is list):
            raise ValueError("not a stored Facts value")

        def selector(row: list[Any]) -> Selector:
            if type(row) is not list or len(row) != len(_SELECTOR_FIELDS):
                raise ValueError("not a stored Selector")
            given: list[Any] = [frozenset(item) if type(item) is list else item for item in row]
            if any(type(item) is list and item != sorted(set_) for item, set_ in zip(row, given, strict=True)):
                raise ValueError("not a stored Selector: a set not sorted, or with repeats")
            return Selector(*given)

        ranges = tuple(float(window) for window in windows)
        facts = cls(error, tuple(selector(row) for row in found), ranges)
        if list(ranges) != windows:
            raise ValueError("not a stored Facts value")
        facts.__dict__["stored"] = value  # (cached_property's own slot: the value is what it would compute)
        return facts


_disk: DiskCache | None = None


@contextmanager
def facts_cached(definitions: Path) -> Iterator[None]:
    """Facts of the expressions of one definitions package kept across builds (saved when the block ends): a
    build parses only the expressions the previous one did not."""
    global _disk
    _disk = DiskCache(definitions, "promql",
                      f"promql-parser {package_version('promql-parser')} "
                      f"{source_digest(__file__, promql_text.__file__)}")
    try:
        yield
    finally:
        _disk.save()
        _disk = None


@cache
def _facts(expr: str) -> Facts:
    stored = _disk.get(expr) if _disk is not None else None
    if stored is not None:
        try:
            return Facts.from_stored(stored)
        except (TypeError, ValueError):
            pass  # a value this code did not write: parse again
    try:
        node = parse(expr)
    except PromQLError as error:
        return Facts(str(error))
    windows: list[float] = []
    _range_seconds(node, windows)
    return Facts("", tuple(selector for _, selector in read_selectors(node)), tuple(windows))


def facts(expr: str) -> Facts:
    """An expression's facts, parsed once per distinct text in a process (and once across builds when cached)."""
    found = _facts(expr)
    if _disk is not None and expr not in _disk:
        _disk.put(expr, found.stored)
    return found


def check_syntax(expr: str) -> None:
    """PromQLError with the parser's message if the expression is not valid PromQL."""
    error = facts(expr).error
    if error:
        raise PromQLError(error)


EXPERIMENTAL = frozenset({
    "double_exponential_smoothing", "end", "first_over_time", "histogram_quantiles", "info", "integral",
    "mad_over_time", "range", "sort_by_label", "sort_by_label_desc", "start", "step", "ts_of_first_over_time",
    "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "limitk", "limit_ratio"})
"""Functions (and aggregations) Prometheus 3 runs only with --enable-feature=promql-experimental-functions
(promql/parser/functions.go `Experimental: true`; limitk and limit_ratio by its parser): without it a rule file
using one does not load and a query using one fails. 2.x has none of them (double_exponential_smoothing was
holt_winters)."""
EXPERIMENTAL_FEATURE = "promql-experimental-functions"
EXPERIMENTAL_FLAG = f"--enable-feature={EXPERIMENTAL_FEATURE}"
_MAY_CALL_EXPERIMENTAL = re.compile(rf"\b(?:{'|'.join(sorted(EXPERIMENTAL))})\s*\(")
"""Text that may call one: only such an expression is parsed again (most are read from the facts' disk cache)."""


def experimental(expr: str) -> tuple[str, ...]:
    """The experimental functions and aggregations an expression calls (EXPERIMENTAL), sorted; () when it does not
    parse (check_syntax says so)."""
    if not _MAY_CALL_EXPERIMENTAL.search(expr):
        return ()
    try:
        root = parse(expr)
    except PromQLError:
        return ()
    found = {name for node in walk(root) if (name := _called(node)) in EXPERIMENTAL}
    if "double_exponential_smoothing" in found and not calls_smoothing(expr):  # holt_winters, parsed by that name
        found.remove("double_exponential_smoothing")
    return tuple(sorted(found))


def _called(node: Any) -> str:
    kind = type(node).__name__
    if kind == "Call":
        return str(node.func.name)
    return str(node.op) if kind == "AggregateExpr" else ""


def name_of(selector: Any) -> str:
    """A vector selector's metric name, as written before the braces or by its `{__name__="x"}` matcher; "" when
    neither names one."""
    if selector.name:
        return str(selector.name)
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and str(matcher.op) == "MatchOp.Equal":  # not NotEqual: != names no metric
            return str(matcher.value)
    return ""


_MATCH_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


def matcher_op(matcher: Any) -> str:
    """A parsed label matcher's operator as written: =, !=, =~ or !~."""
    return _MATCH_OPS.get(str(matcher.op), str(matcher.op))


MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)(=~|!~|!=|=)"(.*)"', re.DOTALL)
"""A matcher of Selector.matchers as _matchers writes it, read back: name, operator, "value"."""


def _matchers(selector: Any) -> frozenset[str]:
    return frozenset(f'{m.name}{matcher_op(m)}"{m.value}"'
                     for m in selector.matchers.matchers if m.name != "__name__")


ORDERING = frozenset({">", ">=", "<", "<="})
"""PromQL's comparisons of order: a number on one side is a threshold (core.thresholds, the meaning checks)."""
COMPARISONS = ORDERING | {"==", "!="}
"""PromQL's comparison operators: without `bool`, each keeps the series whose comparison holds (a filter)."""
FILTERING_OPERATORS = frozenset({"and", "unless"})
"""Set operators whose result is the left side's series, the right side only choosing which."""
ABSENCE_FUNCTIONS = frozenset({"absent", "absent_over_time"})
"""Functions that ask whether series exist: 1 when their argument selects nothing."""


def _walk(node: Any, found: list[tuple[Any, Selector]], ranged: bool = False, function: str = "",
          window: float | None = None, filters: bool = False, asked: bool = False, alone: bool = False) -> None:
    kind = type(node).__name__
    if kind == "VectorSelector":
        offset = node.offset.total_seconds() if node.offset else 0.0
        found.append((node, Selector(name_of(node), ranged, function, window, _matchers(node), offset, filters,
                                     asked, alone)))
    elif kind == "MatrixSelector":
        _walk(node.vector_selector, found, True, function, node.range.total_seconds(), filters, asked, alone)
    elif kind == "Call":
        name = str(node.func.name)
        if name in ABSENCE_FUNCTIONS:  # asks anew inside another: absent(x unless absent(y)) asks about y
            asked = alone = True
        for arg in node.args:
            _walk(arg, found, ranged, name, None, filters, asked, alone)
    elif kind == "BinaryExpr":
        op = str(node.op)
        alone = alone and op != "or"  # absent(x or y) fires only when both vanish
        _walk(node.lhs, found, ranged, function, None, filters, asked, alone)
        if op in FILTERING_OPERATORS:  # absent(x and y) fires when either vanishes, absent(x unless y) never for y
            _walk(node.rhs, found, ranged, function, None, True, asked and op == "and", alone and op == "and")
        else:
            _walk(node.rhs, found, ranged, function, None, filters, asked, alone)
    elif kind == "SubqueryExpr":
        _walk(node.expr, found, True, function, None, filters, asked, alone)
    elif kind in ("AggregateExpr", "ParenExpr", "UnaryExpr"):
        _walk(node.expr, found, ranged, function, None, filters, asked, alone)


def read_selectors(root: Any) -> list[tuple[Any, Selector]]:
    """Every vector selector node of a parsed expression, in source order, with what obsgen reads of it (an
    aggregation's parameter, a number or a label's name, is not walked)."""
    found: list[tuple[Any, Selector]] = []
    _walk(root, found)
    return found


def selectors(expr: str) -> tuple[Selector, ...]:
    """Every series selector in an expression, in source order."""
    check_syntax(expr)
    return facts(expr).selectors


def absence_asked(expr: str) -> tuple[Selector, ...]:
    """The selectors whose series an absent()/absent_over_time() call in an expression asks about, at any depth
    inside the call (absent(sum by (job) (rate(x[5m]))) asks about x), in source order; none when it does not
    parse. Each says whether it is instant (read with the lookback) and whether its vanishing alone fires."""
    return tuple(selector for selector in facts(expr).selectors if selector.asked)


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
    check_syntax(expr)
    return facts(expr).ranges


def rescale_ranges(expr: str, window: Callable[[str], str], shift: Callable[[str], str]) -> str:
    """The expression with each range window (and subquery range) mapped by window(), offsets and steps by shift().

    String literals (label values, regexes) are left alone; PromQLError if the result does not read the
    windows it should.
    """
    result = rescaled_text(expr, window, shift)
    expected = tuple(parse_seconds(window(format_seconds(seconds))) for seconds in ranges(expr))
    if ranges(result) != expected:
        raise PromQLError(f"rescaling the ranges of {expr!r} gave {result!r}")
    return result
