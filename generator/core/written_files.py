"""What a watching build last wrote under out/, so that the next one reads back only the files changed since.

A build writes only the files whose bytes change, which means comparing every file of out/ with its new bytes, and
reuses the bytes of every document that did not change: a full build reads all of out/ back for both. A watching
process (`obsgen build --watch`) wrote those files itself. It keeps each one's SHA-256 and size and the file's status
as the write left it (type, size, modification and change times, inode, device), and reads a file again only when its
status differs: someone edited, replaced or removed it (by hand, a git checkout, another build). Not the bytes: a
watch of a large project would hold all of out/ between saves (274 MB at 100x kube-prometheus). The next build's
unchanged documents (their bytes' digest is the one written) stand for their bytes as Unkept values, which
serialise again only if a write needs the bytes after all: a file of out/ changed by hand since.

A status is trusted only when the file's change time is older than a margin before it was taken, as git treats a
racily clean index entry: a write in the same tick of the filesystem's clock that leaves the same size would leave
the same status. Such a file (one the write itself wrote or linked, mostly) is read back by the next build, which
then keeps a status it can trust.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

RACY_NS = 2 * 10**9
"""How recent a change time may be and still be a later write's: 2 s, the coarsest timestamps (FAT's)."""
FINE_RACY_NS = 10**8
"""The same for a change time with digits under 10 ms, from a filesystem keeping finer ones (ext4, XFS, btrfs, tmpfs:
nanoseconds), whose stamps lag the clock by at most a tick of Linux's coarse clock (1 to 10 ms)."""

Status = tuple[int, int, int, int, int, int]


def _status(found: os.stat_result) -> Status:
    return found.st_mode, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev


def _trusted(found: os.stat_result, since: int) -> bool:
    """Whether any write after `since` (ns since the epoch) would have changed this status."""
    changed = found.st_ctime_ns
    return changed < since - (FINE_RACY_NS if changed % 10**7 else RACY_NS)


class Unkept:
    """The bytes a watching build last wrote at a path, not kept: their digest and size, and how to make them again."""

    __slots__ = ("_make", "digest", "size")

    def __init__(self, digest: str, size: int, make: Callable[[], bytes]) -> None:
        self.digest, self.size, self._make = digest, size, make

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        return self._make()


@dataclass(frozen=True, slots=True)
class Known:
    """What a build knows of a file's bytes without hashing or reading them again: their SHA-256 (taken when they
    were serialised, or checked against it before they were reused), which its record lists, and for bytes read
    back from out/ the file's status then (held_status), which the write compares instead of reading it again."""

    digest: str
    held: Status | None = None


def held_status(found: os.stat_result, since: int) -> Status | None:
    """The status of a file read back, taken just before the read, when any later change to the file would show
    in its status (as WrittenFiles trusts one; `since`: time.time_ns() before it was taken); None otherwise."""
    return _status(found) if _trusted(found, since) else None


def still_held(path: str | os.PathLike[str], held: Status) -> bool:
    """Whether a file still has the status held_status took before it was read: it holds the bytes read then."""
    try:
        return _status(os.lstat(path)) == held
    except OSError:
        return False


FileBytes = bytes | memoryview | Unkept
"""A file of out/ as a build hands it to the writer."""


def bytes_of(data: FileBytes) -> bytes | memoryview:
    """The bytes themselves (an Unkept's made again)."""
    return bytes(data) if isinstance(data, Unkept) else data


def same(found: bytes | None, data: FileBytes) -> bool:
    """Whether bytes read back from out/ are data (an Unkept's compared by digest, without making them again)."""
    if isinstance(data, Unkept):
        return found is not None and len(found) == data.size and hashlib.sha256(found).hexdigest() == data.digest
    return found == data


def digest(data: FileBytes) -> str:
    """The SHA-256 of a file's bytes (an Unkept's, without making them)."""
    return data.digest if isinstance(data, Unkept) else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class _Kept:
    status: Status
    trusted: bool
    size: int
    digest: str


class WrittenFiles:
    """The files the last write of one out/ left, by their path inside it ("a/b.yml")."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.prefix = ""  # str(root) and "/": a status per file, without a Path made for each
        self.files: dict[str, _Kept] = {}

    def bytes_with(self, relative: str, digest: str, make: Callable[[], bytes]) -> Unkept | None:
        """What was last written at relative, when their SHA-256 is digest (whatever out/ holds now), as an Unkept
        made again by `make` if needed."""
        kept = self.files.get(relative)
        return Unkept(digest, kept.size, make) if kept is not None and kept.digest == digest else None

    def holds(self, out: Path, relative: str, data: FileBytes) -> bool | None:
        """Whether out/relative holds exactly data, when that is known without reading it; None: read it."""
        kept = self.files.get(relative) if out == self.root else None
        if kept is None:
            return None
        try:
            found = os.lstat(self.prefix + relative)
        except FileNotFoundError:
            return False  # removed since
        except OSError:
            return None
        if not kept.trusted or _status(found) != kept.status:
            return None
        return len(data) == kept.size and digest(data) == kept.digest

    def wrote(self, out: Path, files: Mapping[str, FileBytes], since: int) -> None:
        """out/ (resolved) now holds exactly these files, written or left by a write holding its lock that began
        at `since` (time.time_ns(), before it compared anything): a file changed after that, by the write or by
        anyone else while it ran, is read back next time."""
        self.root, self.prefix, self.files = out, f"{out}/", {}
        for relative, data in files.items():
            try:
                found = os.lstat(self.prefix + relative)
            except OSError:
                continue
            if stat.S_ISREG(found.st_mode):
                self.files[relative] = _Kept(_status(found), _trusted(found, since), len(data), digest(data))

    def forget(self) -> None:
        """Nothing known: a write failed part way, and out/ may hold anything."""
        self.root, self.prefix, self.files = None, "", {}
