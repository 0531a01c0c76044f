"""PromQL text read as text, not parsed: its range windows, offsets and steps rewritten around its string literals."""

from __future__ import annotations

import re
from collections.abc import Callable

_DURATION = r"\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*"
_RANGE = re.compile(rf"\[(\s*)({_DURATION})(\s*)(?::(\s*)({_DURATION})?(\s*))?\]")
_OFFSET = re.compile(rf"\b(offset\s+-?)({_DURATION})")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`""")


def rescaled_text(expr: str, window: Callable[[str], str], shift: Callable[[str], str]) -> str:
    """The expression with each `[range]` (and subquery range) mapped by window(), offsets and steps by shift(),
    string literals left alone; unchecked, so LogQL (same ranges, offsets and strings) is rewritten by it too."""
    def one_range(match: re.Match[str]) -> str:
        pre, length, mid, colon, step, post = match.groups()
        text = f"[{pre}{window(length)}{mid}"
        if colon is not None:
            text += f":{colon}{shift(step) if step else ''}{post}"
        return text + "]"

    def code(text: str) -> str:
        return _OFFSET.sub(lambda m: m[1] + shift(m[2]), _RANGE.sub(one_range, text))

    pieces: list[str] = []
    position = 0
    for literal in _STRING.finditer(expr):
        pieces += [code(expr[position:literal.start()]), literal[0]]
        position = literal.end()
    return "".join(pieces) + code(expr[position:])
