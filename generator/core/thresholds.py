"""An alert expression's threshold: the number an ordering comparison (>, >=, <, <=) holds a series against.

Replacing it edits the expression's text in place, so the rest of a hand-formatted expression stays
as written; the result is parsed again and must differ from the original only in that number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.core.promql import ORDERING, parse, unparen, walk
from generator.core.quoted import Tokens

_TOKEN = Tokens(
    r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
      |(?P<comment>\#[^\n]*)
      |(?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
      |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      |(?P<word>[a-zA-Z_:][\w:]*)
      |(?P<other>\S)""",
    re.VERBOSE,
)
_SPECIAL_NUMBERS = {"inf", "nan"}


@dataclass(frozen=True)
class Literal:
    """A number literal of an expression: its value and where its text is."""

    value: float
    start: int
    end: int


def _number_spans(expr: str) -> list[tuple[int, int]]:
    """Spans of number literals in source order: not durations, timestamps after @, or numbers in [...]."""
    spans: list[tuple[int, int]] = []
    depth, after_at = 0, False
    for match in _TOKEN.finditer(expr):
        kind, text = match.lastgroup, match.group()
        is_number = kind == "number" or (kind == "word" and text.lower() in _SPECIAL_NUMBERS)
        if is_number and depth == 0 and not after_at:
            spans.append((match.start(), match.end()))
        after_at = kind == "other" and text == "@"
        if kind == "other" and text in "[]":
            depth += 1 if text == "[" else -1
    return spans


def _is_number(node: Any) -> bool:
    return type(node).__name__ == "NumberLiteral"


def literals(expr: str) -> list[Literal]:
    """Every number literal of an expression, with its text span; ValueError if the text cannot be matched."""
    nodes = [node for node in walk(parse(expr)) if _is_number(node)]
    spans = _number_spans(expr)
    if len(spans) != len(nodes):
        raise ValueError(f"cannot locate the numbers of {expr!r} in its text")
    found = []
    for node, (start, end) in zip(nodes, spans, strict=True):
        sign = re.search(r"-\s*$", expr[:start]) if node.val < 0 else None  # the parser folds unary minus in
        found.append(Literal(float(node.val), sign.start() if sign else start, end))
    return found


def thresholds(expr: str) -> list[Literal]:
    """The numbers the expression's ordering comparisons compare against, in source order."""
    root = parse(expr)
    chosen = {
        id(side)
        for node in walk(root)
        if type(node).__name__ == "BinaryExpr" and str(node.op) in ORDERING
        for side in map(unparen, (node.lhs, node.rhs))
        if _is_number(side)
    }
    nodes = [node for node in walk(root) if _is_number(node)]
    every = literals(expr)
    return [literal for node, literal in zip(nodes, every, strict=True) if id(node) in chosen]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _masked(expr: str) -> str:
    return re.sub(r"val: [^,\s]+", "val: _", repr(parse(expr)))


def replace_threshold(expr: str, new: float, current: float | None = None) -> str:
    """expr with its threshold (the one equal to `current`, if given) replaced by `new`; ValueError if ambiguous."""
    candidates = thresholds(expr)
    if current is not None:
        candidates = [c for c in candidates if c.value == current]
        if not candidates:
            values = ", ".join(_number_text(c.value) for c in thresholds(expr)) or "no number"
            raise ValueError(f"no comparison against {_number_text(current)}; it compares against {values}")
    elif len({c.value for c in candidates}) > 1:
        values = ", ".join(_number_text(c.value) for c in candidates)
        raise ValueError(f"it compares against {values}: say which with current_threshold=")
    if not candidates:
        raise ValueError("it compares against no number (no >, >=, < or <= with a literal)")
    text = expr
    for literal in sorted(candidates, key=lambda c: c.start, reverse=True):
        text = text[: literal.start] + _number_text(new) + text[literal.end :]
    replaced = {c.start for c in candidates}
    expected = [new if lit.start in replaced else lit.value for lit in literals(expr)]
    if _masked(text) != _masked(expr) or [lit.value for lit in literals(text)] != expected:
        raise ValueError("replacing the threshold would change more than the number")
    return text
