"""Waiting for the next save under a directory: at once through Linux's inotify, by a timer where there is none.

A wake-up only says "look now": the watch compares snapshots of the files (watch.py), so a missed, duplicated or
overflowing event costs at most a look, and a look is also taken every FALLBACK seconds whatever the kernel says.
Saves are the end of a write (IN_CLOSE_WRITE) and the arrival, departure, creation, deletion or touch of a name:
not each write(), so that a file still being written is not read half-way (an editor's truncate, then write).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import time
from pathlib import Path
from types import TracebackType

FALLBACK = 0.25
"""Seconds between two looks when no event came (and the most a Ctrl-C waits): a filesystem that sends none
(NFS, FUSE), or a writer that keeps its file open, is seen within this."""
POLL = 0.05
"""Seconds between two looks without inotify."""
SETTLE = 0.002
"""Seconds without a new event before a look: one save is often several (an editor writes a temporary file, then
renames it over the module), and a look between them would build the old module beside a stray file."""

_IN_ATTRIB, _IN_CLOSE_WRITE, _IN_MOVED_FROM, _IN_MOVED_TO = 0x4, 0x8, 0x40, 0x80
_IN_CREATE, _IN_DELETE, _IN_DELETE_SELF, _IN_MOVE_SELF = 0x100, 0x200, 0x400, 0x800
_MASK = (_IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE | _IN_DELETE_SELF
         | _IN_MOVE_SELF)


def directories(root: Path) -> list[str]:
    """root and every directory under it, bytecode folders aside."""
    found = [str(root)]
    for directory, subdirectories, _ in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name != "__pycache__"]
        found += [os.path.join(directory, name) for name in subdirectories]
    return found


class Saves:
    """A wait for the next save under root; use as a context manager (it holds a file descriptor)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.unfollowed: set[str] = set()
        """Directories inotify refused to watch (past the kernel's fs.inotify.max_user_watches): seen by the look
        every FALLBACK seconds only."""
        self._fd = -1
        self._libc: ctypes.CDLL | None = None
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if fd >= 0:
                self._fd, self._libc = fd, libc
        self.follow()

    @property
    def from_kernel(self) -> bool:
        """Whether saves wake the wait at once (inotify), rather than the next look of a timer."""
        return self._fd >= 0

    def follow(self) -> None:
        """Watch every directory under root as it is now (files saved in a new one before it is followed are seen by
        the look its creation wakes)."""
        if self._libc is None:
            return
        for directory in directories(self.root):  # an existing watch is kept
            if self._libc.inotify_add_watch(self._fd, os.fsencode(directory), _MASK) < 0:
                self.unfollowed.add(directory)
            else:
                self.unfollowed.discard(directory)

    def wait(self) -> bool:
        """Return after a save has settled (True), or after FALLBACK seconds, POLL without inotify (False)."""
        if self._fd < 0:
            time.sleep(POLL)
            return False
        timeout = FALLBACK
        while select.select([self._fd], [], [], timeout)[0]:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._fd, 65536):  # every event queued so far: one look serves them all
                    pass
            timeout = SETTLE
        if timeout == SETTLE:
            self.follow()  # a directory made by the save
        return timeout == SETTLE

    def __enter__(self) -> Saves:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
