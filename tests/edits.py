"""Edits tests make to a file, as a user's (a definition changed) or a fault (a built file broken).

An edit names text that must stand in the file exactly once: when the definitions move on (CpuHigh became a window,
ApiErrorLogsHigh an f-string) an edit that finds nothing fails the test at once, never a silent no-op that leaves
the "edited" file as it was.
"""

from __future__ import annotations

from pathlib import Path


def replaced(text: str, old: str, new: str, where: str = "the text", first: bool = False) -> str:
    """text with old, which must stand in it exactly once, replaced by new; with first, old may stand there more
    than once (a line of a built file), and the first is replaced."""
    found = text.count(old)
    assert found == 1 or (first and found), f"{old!r} stands {found} times in {where}"
    return text.replace(old, new, 1)


def edit(path: Path, old: str, new: str, first: bool = False) -> None:
    """old, which must stand in the file at path exactly once (with first, at least once), replaced by new there."""
    path.write_text(replaced(path.read_text(), old, new, str(path), first))
