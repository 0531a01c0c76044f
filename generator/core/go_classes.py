"""The character classes of Go's regexp (regexp/syntax) as code point ranges, and Go's case folding of them: what
generator.core.go_regex writes as Python classes.

Under (?i) Go matches a letter with every member of its case orbit (unicode.SimpleFold: the letters equal under
Unicode's simple case folding, CaseFolding.txt's C and S lines), and folds a class by adding the orbit of each of its
letters (regexp/syntax appendFoldedRange, appendFoldedClass, FoldCategory). Python's re folds otherwise: it also
matches the dotless i (U+0131) with I and i, the dotted I (U+0130) with i (Turkish, CaseFolding.txt's T lines, which
Go leaves out: its caseOrbit folds both to themselves). So obsgen folds as Go does, here, and gives Python's re only
case-sensitive classes. The orbits are read from unicodedata's Unicode (its version may differ from Go's by a few
recent letters): str.casefold() is the C (or F) folding, and where F folds one letter to several, the S folding, if
any, is the letter's lowercase (U+1E9E -> U+00DF, U+1F88 -> U+1F80).
"""

from __future__ import annotations

import sys
import unicodedata
from bisect import bisect_left, bisect_right
from functools import cache

Ranges = tuple[tuple[int, int], ...]
"""A character class as sorted, disjoint (low, high) code point ranges."""
MAX_RUNE = sys.maxunicode
PERL: dict[str, Ranges] = {"d": ((0x30, 0x39),), "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),
                           "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))}
"""Go's \\d, \\s and \\w: ASCII only (\\s without \\v)."""
POSIX: dict[str, Ranges] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)), "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),), "blank": ((0x09, 0x09), (0x20, 0x20)), "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": ((0x30, 0x39),), "graph": ((0x21, 0x7E),), "lower": ((0x61, 0x7A),), "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)), "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),), "word": PERL["w"], "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66))}
"""The ASCII classes Go reads inside brackets, [[:alpha:]]."""
CATEGORIES = frozenset(("L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
                        "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C",
                        "Cc", "Cf", "Co", "Cs"))
"""The Unicode general categories Go's \\p reads (its "C" has no unassigned code points)."""
CASED_BELOW = 0x20000
"""No letter past the first two planes has a case (the later ones hold ideographs, tags, private use)."""


def merged(ranges: list[tuple[int, int]]) -> Ranges:
    """The ranges sorted, overlapping and adjacent ones joined."""
    found: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if found and low <= found[-1][1] + 1:
            found[-1] = (found[-1][0], max(high, found[-1][1]))
        else:
            found.append((low, high))
    return tuple(found)


def negated(ranges: Ranges) -> Ranges:
    """Every code point the (sorted, disjoint) ranges leave out."""
    found, at = [], 0
    for low, high in ranges:
        if low > at:
            found.append((at, low - 1))
        at = high + 1
    return (*found, (at, MAX_RUNE)) if at <= MAX_RUNE else tuple(found)


@cache
def category(name: str) -> Ranges:
    """The code points of a general category (or of every category of a letter, L), read once when asked."""
    ranges: list[tuple[int, int]] = []
    for code in range(MAX_RUNE + 1):
        found = unicodedata.category(chr(code))
        if found != "Cn" and found.startswith(name):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return tuple(ranges)


def class_text(ranges: Ranges, negate: bool = False) -> str:
    """The ranges as a Python class, [...] or [^...] (a pattern matching nothing, or anything, when empty)."""
    body = "".join(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
    return f"[{'^' * negate}{body}]" if body else ("(?s:.)" if negate else "(?!)")


@cache
def orbits() -> dict[int, tuple[int, ...]]:
    """Each code point that folds with another, and its orbit (itself among them, sorted), read once when asked."""
    parent: dict[int, int] = {}

    def root(code: int) -> int:
        while parent.get(code, code) != code:
            code = parent[code]
        return code

    for code in range(CASED_BELOW):
        char = chr(code)
        folded = char.casefold()
        if len(folded) != 1:
            folded = char.lower()  # (the S folding where F folds to several letters; İ lowers to two: none)
        if len(folded) == 1 and folded != char:
            parent[root(code)] = root(ord(folded))
    members: dict[int, list[int]] = {}
    for code in parent:
        members.setdefault(root(code), []).append(code)
    return {code: tuple(sorted({top, *found})) for top, found in members.items() for code in (top, *found)}


@cache
def _folding() -> tuple[int, ...]:
    return tuple(sorted(orbits()))


def folded(ranges: Ranges) -> Ranges:
    """The class under (?i), as Go folds it: its code points and every member of their case orbits."""
    keys, orbit = _folding(), orbits()
    extra = [(member, member) for low, high in ranges
             for code in keys[bisect_left(keys, low):bisect_right(keys, high)] for member in orbit[code]]
    return merged([*ranges, *extra]) if extra else ranges
