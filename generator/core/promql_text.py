"""PromQL text read as text, not parsed: its range windows, offsets and steps rewritten around its string literals
and comments, and the text promql-parser is given, which reads some things otherwise than Prometheus.

What is not code is found as PromQL's lexer (and LogQL's) finds it: a string in "...", '...' (a backslash escaping
the next character) or backticks (raw, line feeds and all), and a comment from # to the line's end, in which a quote
opens no string.

promql-parser (Rust) unescapes a backtick string as a double-quoted one: `\\pL`, `a\\.b`, `\\d` in backticks, raw
text to Prometheus (Go's strconv.Unquote of a raw string), were "unknown escape sequence" errors; parser_text writes
each as the double-quoted string of the same text. It knows Prometheus 3's function names only: holt_winters, the
name of double_exponential_smoothing before 3.0.0, is given to it as that (same arguments), and release_refusal says
which name a release refuses, with Prometheus' words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.core.quoted import Tokens
from generator.core.releases import ordered

_DURATION = r"\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*"
_RANGE = re.compile(rf"\[(\s*)({_DURATION})(\s*)(?::(\s*)({_DURATION})?(\s*))?\]")
_OFFSET = re.compile(rf"\b(offset\s+-?)({_DURATION})")
_NOT_CODE = Tokens(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|#[^\r\n]*""")
"""A string literal or a comment (promql/parser/lex.go lexString, lexRawString, lexLineComment), in linear time
where a string is never closed (core/quoted.py)."""


def rescaled_text(expr: str, window: Callable[[str], str], shift: Callable[[str], str]) -> str:
    """The expression with each `[range]` (and subquery range) mapped by window(), offsets and steps by shift(),
    string literals and comments left alone; unchecked, so LogQL (same ranges, offsets, strings and comments) is
    rewritten by it too."""
    def one_range(match: re.Match[str]) -> str:
        pre, length, mid, colon, step, post = match.groups()
        text = f"[{pre}{window(length)}{mid}"
        if colon is not None:
            text += f":{colon}{shift(step) if step else ''}{post}"
        return text + "]"

    def code(text: str) -> str:
        return _OFFSET.sub(lambda m: m[1] + shift(m[2]), _RANGE.sub(one_range, text))

    return _code_mapped(expr, code, lambda literal: literal)


RENAMED_SINCE = (3, 0, 0)
"""The first Prometheus release calling holt_winters double_exponential_smoothing (its 3.0 migration guide): each
release knows one of the names only, and its parser says of the other `unknown function with name "..."`."""
_CALL = {name: re.compile(rf"\b{name}(?=\s*\()") for name in ("holt_winters", "double_exponential_smoothing")}
"""A call of the function by either name (not a metric or label so named)."""


def _code_mapped(expr: str, code: Callable[[str], str], literal: Callable[[str], str]) -> str:
    pieces: list[str] = []
    position = 0
    for found in _NOT_CODE.finditer(expr):
        pieces += [code(expr[position:found.start()]), literal(found[0])]
        position = found.end()
    return "".join(pieces) + code(expr[position:])


def _quoted(literal: str) -> str:
    if not literal.startswith("`"):
        return literal
    body = literal[1:-1].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


def parser_text(expr: str) -> str:
    """The expression as promql-parser reads it as Prometheus does: backtick strings double-quoted, holt_winters
    called by its Prometheus 3 name (release_refusal says whether the release knows the name written)."""
    if "`" not in expr and "holt_winters" not in expr:
        return expr
    return _code_mapped(expr, lambda text: _CALL["holt_winters"].sub("double_exponential_smoothing", text), _quoted)


def _code(expr: str) -> str:
    """The expression with each string literal emptied and each comment dropped: its code, where a function is
    called (`holt_winters # ...` and a `(` on the next line call it)."""
    return _NOT_CODE.sub(lambda found: "" if found[0].startswith("#") else '""', expr)


def release_refusal(expr: str, release: str) -> str:
    """What that Prometheus release's parser says of a function name it does not know (holt_winters from 3.0.0,
    double_exponential_smoothing before), '' when it knows those the expression calls."""
    name = "holt_winters" if ordered(release) >= RENAMED_SINCE else "double_exponential_smoothing"
    return f'unknown function with name "{name}"' if _calls(expr, name) else ""


def calls_smoothing(expr: str) -> bool:
    """Whether the expression calls double_exponential_smoothing by that name (not as holt_winters)."""
    return _calls(expr, "double_exponential_smoothing")


def _calls(expr: str, name: str) -> bool:
    return name in expr and _CALL[name].search(_code(expr)) is not None
