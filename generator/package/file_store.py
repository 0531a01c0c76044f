"""The files of the last build kept by their SHA-256 beside the definitions' bytecode, so that a build into a new
out/ (a fresh checkout's, a removed one) links them instead of creating and writing every file again.

Creating a file and writing its bytes is most of the write of a new out/ (164 files, 3 MB for kube-prometheus:
10-80 ms as the disk is busy); a hard link to a file kept from the last build is a third of that. The files are
kept in definitions/__pycache__/obsgen-files/, named by their SHA-256, as hard links to the files of out/ the
build wrote (no copy), and only the current build's are kept. A kept file is its out/ file: one changed in place
(an editor, `>>`) changes it too, so a kept file is linked only when it still holds the bytes the build would write
(read and compared: 1-2 ms for kube-prometheus), and its type, owner and permissions are a written file's; otherwise
it is removed and the file written as before. A kept file is linked only when the store alone holds it (its out/
removed or replaced): linked beside an out/ that still holds it, an edit of either out/ would change both. A missing,
damaged or unusable store (another filesystem) only costs time.
The store is used only when it and __pycache__ are directories of their own (not links planted to elsewhere) of this
process' owner, that no other user may change more than the files of out/: else it is neither read, written nor pruned.
Nothing is kept under PYTHONDONTWRITEBYTECODE, as no bytecode is.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from generator.core.written_files import FileBytes, Known, bytes_of
from generator.core.written_files import digest as digest_of

STORE = "obsgen-files"


class FileStore:
    """The kept files of one definitions package, for one build's write."""

    def __init__(self, directory: Path, digests: Mapping[str, str]) -> None:
        self.directory = directory
        self.digests = dict(digests)
        """Each file's SHA-256, by its path in out/, when the build knows it (the others are hashed here)."""
        self.used: set[str] = set()
        self.usable: bool | None = None
        """Whether the directory is the store's own (_private), found at its first use."""

    def digest(self, relative: str, data: FileBytes) -> str:
        """The SHA-256 of the file at this path of out/."""
        found = self.digests.get(relative)
        if found is None:
            found = self.digests[relative] = digest_of(data)
        return found

    def link(self, relative: str, data: FileBytes, target: Path, mode: int) -> bool:
        """Make target a link to the kept file named by these bytes' digest, if it still holds them, a regular
        file of this process' owner with the permissions `mode` of a file written now, that no other file links to
        (an out/ still holding it); False (and nothing made) otherwise."""
        if not self._usable(mode):
            return False
        digest = self.digest(relative, data)
        kept = self.directory / digest
        try:
            descriptor = os.open(kept, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # (a FIFO: not waited on)
        except OSError:
            return False
        with os.fdopen(descriptor, "rb") as file:
            status = os.fstat(descriptor)
            if status.st_nlink > 1:
                return False  # an out/ still holds it: kept for when none does
            usable = (stat.S_ISREG(status.st_mode) and stat.S_IMODE(status.st_mode) == mode
                      and status.st_uid == os.getuid() and status.st_size == len(data)
                      and file.read(len(data) + 1) == bytes_of(data))
        try:
            if not usable:
                os.unlink(kept)  # changed since (through its out/ file), or not one this build would write
                return False
            os.link(kept, target)
        except OSError:
            return False
        self.used.add(digest)
        return True

    def keep(self, relative: str, data: FileBytes, written: Path, mode: int) -> None:
        """Keep a file just written (with the permissions `mode`) for the next builds (when it can be linked)."""
        if not self._usable(mode):
            return
        digest = self.digest(relative, data)
        try:
            os.link(written, self.directory / digest)
        except FileExistsError:
            pass  # kept already (its bytes are checked when it is used)
        except OSError:
            return
        self.used.add(digest)

    def prune(self) -> None:
        """Remove the kept files that are not this build's (after its write)."""
        if not self.usable:
            return
        with contextlib.suppress(OSError), os.scandir(self.directory) as entries:
            for entry in entries:
                if entry.name not in self.used:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _usable(self, mode: int) -> bool:
        """Whether the store is its own, made if missing: checked once, at its first use."""
        if self.usable is None:
            self.usable = _private(self.directory.parent, mode)
            if self.usable:
                with contextlib.suppress(OSError):
                    self.directory.mkdir()
                self.usable = _private(self.directory, mode)
        return self.usable


def _private(directory: Path, mode: int) -> bool:
    """Whether this is a directory, not a link to one, of this process' owner, that no other user may write to
    unless the files written now (`mode`) let them write those too."""
    try:
        status = os.lstat(directory)
    except OSError:
        return False
    return (stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid()
            and not stat.S_IMODE(status.st_mode) & 0o022 & ~mode)


def store(definitions: Path, known: Mapping[str, Known | str] | None = None) -> FileStore | None:
    """The kept files of these definitions (with the digests the build knows: Known, or digests), None when bytecode
    is not written."""
    if sys.dont_write_bytecode:
        return None
    digests = {path: value.digest if isinstance(value, Known) else value for path, value in (known or {}).items()}
    return FileStore(definitions / "__pycache__" / STORE, digests)
