"""How deep an expression nests, bounded before it is parsed: the parser (promql-parser, Rust) recurses once a level
and overflows its stack (the process dies, no error) somewhere past 3,000 nested brackets or chained operators, and
the checks' own walks over the tree recurse too (Python's limit: about 1,000 frames). Rule files and dashboards are
untrusted, so an expression deeper than MAX_DEPTH is refused with a message instead; the deepest the shipped project,
kube-prometheus and a 100x copy of it write is 29 (RevenueDrop)."""

from __future__ import annotations

import re

MAX_DEPTH = 500
"""Brackets open at once plus binary operators, at most: a chain `a or b or ...` nests one level an operator (an
`absent(up{job=...}) or ...` over 500 jobs would be refused)."""

_OPAQUE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`|\{[^{}]*\}')
"""String literals and label matchers: their brackets and operators are text, not nesting."""
_OPERATORS = re.compile(r"\b(?:or|and|unless|atan2)\b|==|!=|>=|<=|[-+*/%^<>]")


def depth(expr: str) -> int:
    """An upper bound of the expression's nesting: the most brackets open at once plus every binary operator (a
    unary minus counted as one too), strings and label matchers left out."""
    text = _OPAQUE.sub(" ", expr)
    open_now = most = 0
    for char in text:
        if char in "([":
            open_now += 1
            most = max(most, open_now)
        elif char in ")]":
            open_now -= 1
    return most + len(_OPERATORS.findall(text))


def too_deep(expr: str) -> str:
    """Why the expression is refused before it is parsed ('' when it is not): every level costs a character, so an
    expression shorter than MAX_DEPTH is never measured."""
    if len(expr) <= MAX_DEPTH:
        return ""
    found = depth(expr)
    return (f"nests {found} levels (brackets open at once and chained operators), more than the {MAX_DEPTH} obsgen "
            "reads: split it into recording rules") if found > MAX_DEPTH else ""
