"""Text in a message: the first few names, then how many more; a long text cut short."""

from __future__ import annotations

from collections.abc import Sequence


def first_few(names: Sequence[str], shown: int) -> str:
    """'a, b, c and 4 more': the first `shown` names, then a count of the rest (none when all are shown)."""
    rest = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {rest} more" if rest > 0 else "")


def shortened(text: str, most: int) -> str:
    """The text as it is when it has at most `most` characters, else its first ones and "...", `most` in all."""
    return text if len(text) <= most else text[:most - 3] + "..."
