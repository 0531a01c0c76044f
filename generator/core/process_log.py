"""Reading the log of a process obsgen started (a server of the live stack, Chromium) within bounds, however much
it logged: looking for a line as the log grows reads each byte once, and a failure reports only the log's end."""

from __future__ import annotations

import os
import re
from pathlib import Path

LOG_CHUNK = 2**16
"""Bytes of a log read at once while searching it: the search's memory, whatever the log's size."""
LOG_TAIL_BYTES = 4 * 2**10
"""The end of a log a failed start reports: its last lines, however much a server logged (or a soak left)."""


class LogSearch:
    """The first match of a pattern in a growing log. Each call reads only what was written since the last one,
    LOG_CHUNK at a time, keeping the last `longest` - 1 bytes read for a match written across two reads (a match
    must be at most `longest` bytes). A log written anew from its start (truncated) is searched from its start."""

    def __init__(self, log: Path, pattern: re.Pattern[bytes], longest: int) -> None:
        self.log = log
        self.pattern = pattern
        self.keep = max(0, longest - 1)
        self.read = 0
        """The log's bytes already looked at."""
        self.tail = b""
        """Their last `keep` bytes."""
        self.found: re.Match[bytes] | None = None

    def __call__(self) -> re.Match[bytes] | None:
        """The match, once the log holds one; None until then (and while the log does not exist)."""
        if self.found is not None:
            return self.found
        try:
            with self.log.open("rb") as file:
                if os.fstat(file.fileno()).st_size < self.read:
                    self.read, self.tail = 0, b""
                file.seek(self.read)
                while self.found is None and (chunk := file.read(LOG_CHUNK)):
                    self.read += len(chunk)
                    window = self.tail + chunk
                    self.found = self.pattern.search(window)
                    self.tail = window[max(0, len(window) - self.keep):] if self.keep else b""
        except FileNotFoundError:
            return None
        return self.found


def text_search(log: Path, text: str) -> LogSearch:
    """A LogSearch for a fixed text."""
    wanted = text.encode()
    return LogSearch(log, re.compile(re.escape(wanted)), len(wanted))


def log_tail(log: Path, max_bytes: int = LOG_TAIL_BYTES) -> str:
    """The last lines of a log, at most max_bytes of its end (from the first line starting in them)."""
    try:
        with log.open("rb") as file:
            start = max(0, file.seek(0, os.SEEK_END) - max_bytes)
            file.seek(start)
            data = file.read(max_bytes)
    except OSError as error:
        return f"(cannot read it: {error.strerror or error})"
    if start and b"\n" in data[:-1]:  # cut inside a line: from the next one
        data = data[data.index(b"\n") + 1:]
    return data.decode("utf-8", errors="replace")
