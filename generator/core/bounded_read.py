"""Reading a file that may be hostile without trusting what it says it is: only a regular file (a symlink to one is
followed unless told not to), and never more than a bound. A device, FIFO or /proc-like file has no size to check
before reading (st_size is 0) and may never end (/dev/zero) or never start (a FIFO no one writes to).

Bytes only, no parser: a replayed build reads out/ through it without loading YAML (core.untrusted parses); and
plain os functions: `obsgen --help` reads its record through open_regular (core/sealed_file.py) before pathlib or
typing is imported.
"""

from __future__ import annotations

import io
import os
import stat

TYPE_CHECKING = False  # not typing's (see above)
if TYPE_CHECKING:
    from pathlib import Path


class TooLarge(ValueError):
    """The file holds more than the bound; size says how much (its size, or "more than" the bound when it grew
    past it while read)."""

    def __init__(self, size: int | None, max_bytes: int) -> None:
        self.size = f"{size / 2**20:.1f} MiB" if size is not None else f"more than {max_bytes / 2**20:g} MiB"
        self.limit = f"{max_bytes / 2**20:g} MiB"
        super().__init__(f"{self.size} is over the limit of {self.limit}")


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a special file")


class NotRegular(OSError):
    """The path names something other than a regular file (a FIFO, a device, a directory)."""


def open_regular(path: str | os.PathLike[str], *, follow_links: bool = True) -> io.BufferedReader:
    """The file at path opened for reading, if it is a regular file (not through a symbolic link unless
    follow_links); OSError otherwise (NotRegular: "it is a FIFO, not a regular file"), without waiting on a FIFO no
    one writes to."""
    return _opened(path, follow_links)[0]


def _opened(path: str | os.PathLike[str], follow_links: bool) -> tuple[io.BufferedReader, os.stat_result]:
    # O_NONBLOCK: opening a FIFO no one writes to returns at once (and is then refused) instead of waiting
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags if follow_links else flags | os.O_NOFOLLOW)
    try:
        file = open(descriptor, "rb")  # noqa: SIM115 (returned open) a directory is refused here, as the system says
    except BaseException:
        os.close(descriptor)
        raise
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegular(f"it is {_kind(status.st_mode)}, not a regular file")
    except BaseException:
        file.close()
        raise
    return file, status


def read_bounded(path: Path, max_bytes: int, *, follow_links: bool = True) -> bytes:
    """The bytes of a regular file of at most max_bytes (not through a symbolic link unless follow_links).
    OSError (a link not followed: ELOOP); ValueError ("it is a FIFO, not a regular file") for anything else;
    TooLarge past the bound, which the read itself stops at."""
    return read_bounded_status(path, max_bytes, follow_links=follow_links)[0]


def read_bounded_status(path: Path, max_bytes: int, *, follow_links: bool = True) -> tuple[bytes, os.stat_result]:
    """read_bounded, with the file's status as it was just before its bytes were read (fstat)."""
    try:
        file, status = _opened(path, follow_links)
    except NotRegular as error:
        raise ValueError(str(error)) from None
    with file:
        if status.st_size > max_bytes:
            raise TooLarge(status.st_size, max_bytes)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while read
        raise TooLarge(None, max_bytes)
    return data, status
