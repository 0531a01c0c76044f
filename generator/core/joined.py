"""Strings joined once, for many questions about where a text lies among them (Joined).

Its own module, without core.lined's YAML and JSON readers: the secret scan, which the models import, asks it too,
and `obsgen list` and a build's model import load no YAML parser (tests/speed/test_cli_imports).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate


class Joined:
    """Strings joined by newlines once (a text's lines, split at "\\n", give the text back): the string any offset is
    in, by bisection of where each starts, and the strings holding a text, by searches of the joined text. Counting
    the newlines before each of many offsets, or testing every string for each of many texts, is quadratic in them
    (8,000 credentials of one imported file took 1.1 s to count their lines)."""

    def __init__(self, strings: list[str]) -> None:
        self.strings = strings
        self.text = "\n".join(strings)
        self.starts = list(accumulate((len(string) + 1 for string in strings[:-1]), initial=0))

    def at(self, offset: int) -> int:
        """The index of the string an offset of the joined text is in (0-based: a text's line is this plus 1)."""
        return bisect_right(self.starts, offset) - 1

    def holding(self, value: str) -> Iterator[int]:
        """The index of each string holding value, in order: a match running past its string's end leaves none in
        it (a later start is nearer the end), so each string is searched once."""
        found = self.text.find(value) if self.strings else -1
        while found >= 0:
            index = self.at(found)
            end = self.starts[index] + len(self.strings[index])
            if found + len(value) <= end:
                yield index
            found = self.text.find(value, end + 1)
