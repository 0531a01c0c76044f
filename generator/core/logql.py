"""LogQL, checked for structure: balanced brackets and strings, valid stream selectors and ranges.

There is no LogQL parser on PyPI, and Loki does not run here, so this is a tokenizer-level check of
what breaks rules most often: unbalanced brackets, bad label matchers, selectors that match
everything, invalid range durations, regexes Loki refuses, and metric rules without a range aggregation.

Loki is Go: every regex of a query is read in Go's regexp syntax (core.go_regex), never Python's. A stream
selector's `=~`/`!~` is a Prometheus label matcher (syntax/ast.go mustNewMatcher: labels.NewMatcher), anchored
`^(?:re)$` (Prometheus 3, which Loki 3 builds with, compiles `^(?s:re)$`: the same for the empty value, which is all
obsgen asks of it); a line filter's `|~`/`!~` and a `regexp` parser's pattern are searched unanchored, a label
filter's `=~`/`!~` anchored (log/filter.go parseRegexpFilter: syntax.Parse(re, syntax.Perl), `^(?:re)$` only when
isLabel); `(?i)` and `(?s)` are Go's flags, read as go_regex reads them. A regex Go refuses is a LogQLError with Go's
words, as Loki's parser refuses the query. A string is Go's too (syntax/lex.go: strutil.Unquote, strconv.Unquote's
escapes; matcher_parse.go_unquote): a `"code=\\d+"` Loki's lexer refuses, so does parse; `...` is raw.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.core.duration import format_seconds, parse_seconds
from generator.core.go_regex import GoRegex, compile_go
from generator.core.matcher_parse import go_unquote
from generator.core.promql_text import rescaled_text
from generator.core.quoted import Tokens

RANGE_FUNCTIONS = frozenset({
    "rate", "rate_counter", "count_over_time", "bytes_rate", "bytes_over_time", "sum_over_time",
    "avg_over_time", "max_over_time", "min_over_time", "first_over_time", "last_over_time",
    "stdvar_over_time", "stddev_over_time", "quantile_over_time", "absent_over_time",
})
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*')
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_REGEX_AFTER = {"|~": "line filter", "!~": "filter", "=~": "label filter", "regexp": "regexp parser"}
"""What a string outside a stream selector is when it follows these: a regex of that kind (a `!~` is a line
filter's or a label filter's)."""


class LogQLError(ValueError):
    """An expression that is not well-formed LogQL."""


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a stream selector."""

    label: str
    op: str
    value: str


@dataclass(frozen=True)
class Query:
    """What obsgen needs from a LogQL expression."""

    selectors: tuple[tuple[Matcher, ...], ...]
    ranges: tuple[str, ...]
    functions: tuple[str, ...]

    @property
    def labels(self) -> frozenset[str]:
        """Every label name a stream selector matches on."""
        return frozenset(m.label for selector in self.selectors for m in selector)

    @property
    def is_metric(self) -> bool:
        """Whether it computes samples (a range aggregation over a log range)."""
        return bool(self.ranges) and any(f in RANGE_FUNCTIONS for f in self.functions)


def _unquote(token: str, expr: str) -> str:
    """A string of the query as Loki's lexer reads it (syntax/lex.go: strutil.Unquote, Go's strconv.Unquote): a raw
    `...` as it is, a "..." with Go's escapes; LogQLError where Loki refuses the query (an escape Go has not, such as
    a regex's \\d written in "...", or a newline)."""
    if token.startswith("`"):
        return token[1:-1]
    try:
        return go_unquote(token)
    except ValueError as error:
        raise LogQLError(f"Loki refuses the string in {expr!r}: {error} (a \"...\" string takes Go's escapes only: "
                         "a regex's backslash is written \\\\ there, or the string in `...`)") from None


def _selector(body: str, expr: str) -> tuple[Matcher, ...]:
    matchers: list[Matcher] = []
    position = 0
    while body.strip() and position < len(body):
        match = _MATCHER.match(body, position)
        if match is None:
            bad = body[position:].split(",")[0].strip()
            raise LogQLError(f"bad label matcher {bad!r} in {expr!r} (use name=\"value\", !=, =~ or !~)")
        matchers.append(Matcher(match[1], match[2], _unquote(match[3], expr)))
        position = match.end()
        if position < len(body):
            if body[position] != ",":
                raise LogQLError(f"expected ',' between label matchers in {expr!r}")
            position += 1
    if not matchers:
        raise LogQLError(f"empty stream selector {{}} in {expr!r}")
    if not any([_excludes_empty(m, expr) for m in matchers]):  # each regex read
        raise LogQLError(f"stream selector {{{body}}} in {expr!r} matches every stream: "
                         "add a matcher with a non-empty value")
    return tuple(matchers)


def _go_regex(pattern: str, kind: str, expr: str, anchored: bool = False) -> GoRegex:
    try:
        return compile_go(f"^(?:{pattern})$" if anchored else pattern)
    except ValueError as error:
        raise LogQLError(f"Loki refuses the {kind} regex {pattern!r} in {expr!r}: {error}") from None


def _excludes_empty(matcher: Matcher, expr: str) -> bool:
    if matcher.op == "=":
        return matcher.value != ""
    if matcher.op == "=~":
        return not _go_regex(matcher.value, "stream selector", expr, anchored=True).matches("")
    if matcher.op == "!~":
        _go_regex(matcher.value, "stream selector", expr)
    return False


def _filter_regex(expr: str, before: str, token: str) -> None:
    """Refuse the string `token` where Loki would: one its lexer cannot read, or a regex (by what precedes it,
    `before`) Go does not read."""
    text = _unquote(token, expr)
    kind = next((kind for op, kind in _REGEX_AFTER.items() if before.endswith(op)), None)
    if kind is not None:
        _go_regex(text, kind, expr)


def parse(expr: str) -> Query:
    """Check an expression's structure and return its selectors, ranges and functions."""
    stack: list[tuple[str, int]] = []
    selectors: list[tuple[Matcher, ...]] = []
    ranges: list[str] = []
    i = 0
    while i < len(expr):
        char = expr[i]
        if char in "\"`":
            end = _string_end(expr, i)
            if not stack or stack[-1][0] != "{":  # a selector's matchers are read by _selector
                _filter_regex(expr, expr[:i].rstrip(), expr[i:end + 1])
            i = end + 1
            continue
        if char in _PAIRS:
            stack.append((char, i))
        elif char in _PAIRS.values():
            if not stack or _PAIRS[stack[-1][0]] != char:
                raise LogQLError(f"unbalanced {char!r} at {i} in {expr!r}")
            opener, start = stack.pop()
            body = expr[start + 1:i]
            if opener == "{":
                selectors.append(_selector(body, expr))
            elif opener == "[":
                ranges.append(_range(body, expr))
        i += 1
    if stack:
        raise LogQLError(f"unclosed {stack[-1][0]!r} at {stack[-1][1]} in {expr!r}")
    if not selectors:
        raise LogQLError(f"no stream selector in {expr!r}: a LogQL query starts from {{label=\"value\"}}")
    functions = tuple(re.findall(r"\b([a-z_]+)\s*\(", strip_strings(expr)))
    return Query(tuple(selectors), tuple(ranges), functions)


def _string_end(expr: str, start: int) -> int:
    quote = expr[start]
    i = start + 1
    while i < len(expr):
        if quote == '"' and expr[i] == "\\":
            i += 2
            continue
        if expr[i] == quote:
            return i
        i += 1
    raise LogQLError(f"unterminated string starting at {start} in {expr!r}")


STRINGS = Tokens(r'"(?:[^"\\]|\\.)*"|`[^`]*`')
"""A string of LogQL, in linear time where one is never closed (core/quoted.py)."""


def strip_strings(expr: str) -> str:
    """The expression with each string emptied (`""`): its code."""
    return STRINGS.sub('""', expr)


def _range(body: str, expr: str) -> str:
    duration = body.split(":")[0].strip()  # [5m] or a subquery's [1h:5m]
    try:
        parse_seconds(duration)
    except ValueError:
        raise LogQLError(f"invalid range [{body}] in {expr!r}") from None
    return duration


def rescale_ranges(expr: str, window: Callable[[str], str], shift: Callable[[str], str]) -> str:
    """The LogQL expression with each range mapped by window(), offsets by shift() (PromQL's rewrite: the same
    `[5m]` and `offset 1h`, the same strings left alone); LogQLError if the result does not read the windows it
    should."""
    result = rescaled_text(expr, window, shift)
    expected = tuple(parse_seconds(window(format_seconds(parse_seconds(r)))) for r in parse(expr).ranges)
    if tuple(parse_seconds(r) for r in parse(result).ranges) != expected:
        raise LogQLError(f"rescaling the ranges of {expr!r} gave {result!r}")
    return result


def metric_query(expr: str) -> Query:
    """Parse an expression that must produce samples (alerting and recording rules)."""
    query = parse(expr)
    if not query.is_metric:
        raise LogQLError(f"{expr!r} is a log query: rules need a metric query such as "
                         "sum by (service_name) (count_over_time({...} [5m]))")
    return query


_AGGREGATION = re.compile(r"\s*(?:sum|avg|min|max|count|stddev|stdvar)\s*(?:by\s*\(([^()]*)\)\s*)?\(")
_TRAILING_BY = re.compile(r"\s*by\s*\(([^()]*)\)")
_COMPARISON = re.compile(r"\s*(?:(?:[<>]=?|[=!]=)\s*(?:bool\s+)?[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?\s*)?$")


def result_labels(expr: str) -> frozenset[str] | None:
    """The label names of the expression's result where its shape tells them: one vector aggregation `by (...)` (or
    by nothing), maybe compared with a number, as `sum by (service_name) (count_over_time(...)) > 20`. None for any
    other shape: `without`, topk, an operation between two queries, a bare range aggregation (whose result keeps
    every stream label and every label a parser extracts)."""
    text = strip_strings(expr)
    head = _AGGREGATION.match(text)
    if head is None:
        return None
    depth, end = 0, head.end() - 1
    for end in range(head.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            break
    rest, grouping = text[end + 1:], head[1]
    trailing = _TRAILING_BY.match(rest)
    if trailing is not None and grouping is None:
        rest, grouping = rest[trailing.end():], trailing[1]
    if _COMPARISON.match(rest) is None:
        return None
    return frozenset(label.strip() for label in (grouping or "").split(",") if label.strip())
