"""Caches of what is read from a definitions file, valid for one state of the file (a watching build edits them)."""

from __future__ import annotations

import os


def state(file: str) -> tuple[int, int]:
    """The file's modification time (ns) and size, (0, 0) when it cannot be read: a cache key that changes on save."""
    try:
        found = os.stat(file)
    except OSError:
        return 0, 0
    return found.st_mtime_ns, found.st_size
