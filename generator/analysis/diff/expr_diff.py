"""A PromQL change shown once, with only the changed tokens marked (a label value inside a long regex included).

Both sides are compared after canonical formatting, token by token (names, strings, numbers with their
units, operators); a string token that changed is compared character by character, so a 1,500-character
regex with one service added shows that service, not the regex twice. Long unchanged stretches are elided.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from generator.core.quoted import Tokens

TOKEN = Tokens(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[a-z]*"""
               r"|[A-Za-z_:][\w:]*|=~|!~|!=|==|>=|<=|\s+|\S")
"""A token of PromQL; a string never closed is not one (its quote is), read in linear time (core/quoted.py)."""
KEEP = 24
"""Unchanged characters kept on each side of a change; longer unchanged stretches are elided."""
ELISION = "…"


@dataclass(frozen=True)
class Piece:
    """A run of an expression: unchanged, only before, or only after."""

    text: str
    kind: Literal["same", "old", "new"]


def tokens(expr: str) -> list[str]:
    """PromQL split into tokens, whitespace kept as tokens so the pieces join back into the expression."""
    return TOKEN.findall(expr)


def _is_string(token: str) -> bool:
    return len(token) >= 2 and token[0] in "\"'`" and token[-1] == token[0]


def _diff(old: list[str], new: list[str], inside_strings: bool) -> list[Piece]:
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        before, after = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            pieces.append(Piece(before, "same"))
        elif inside_strings and i2 - i1 == 1 and j2 - j1 == 1 and _is_string(before) and _is_string(after):
            pieces += _diff(list(before), list(after), inside_strings=False)
        else:
            pieces += [Piece(before, "old")] if before else []
            pieces += [Piece(after, "new")] if after else []
    return pieces


def _elided(pieces: list[Piece]) -> list[Piece]:
    shown: list[Piece] = []
    for index, piece in enumerate(pieces):
        text = piece.text
        if piece.kind == "same" and len(text) > 2 * KEEP + len(ELISION):
            head = text[:KEEP] if index > 0 else ""
            tail = text[-KEEP:] if index < len(pieces) - 1 else ""
            text = f"{head}{ELISION}{tail}"
        shown.append(Piece(text, piece.kind))
    return shown


def expr_diff(old: str, new: str) -> list[Piece]:
    """The change from old to new as pieces, adjacent same-kind runs merged, long unchanged runs elided."""
    merged: list[Piece] = []
    for piece in _diff(tokens(old), tokens(new), inside_strings=True):
        if merged and merged[-1].kind == piece.kind:
            merged[-1] = Piece(merged[-1].text + piece.text, piece.kind)
        else:
            merged.append(piece)
    return _elided(merged)


def as_text(pieces: list[Piece]) -> str:
    """git's word-diff notation: [-removed-]{+added+}."""
    marks = {"same": ("", ""), "old": ("[-", "-]"), "new": ("{+", "+}")}
    return "".join(marks[p.kind][0] + p.text + marks[p.kind][1] for p in pieces)


def as_html(pieces: list[Piece]) -> str:
    """<code> with <del> and <ins> (GitHub renders both in a comment); every character escaped."""
    tags = {"same": ("", ""), "old": ("<del>", "</del>"), "new": ("<ins>", "</ins>")}
    body = "".join(tags[p.kind][0] + html.escape(p.text).replace("|", "&#124;") + tags[p.kind][1] for p in pieces)
    return f"<code>{body}</code>"
