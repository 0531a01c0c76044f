"""A file of bytes sealed by this user's key, for records that can only save time.

The first line is the hex HMAC-SHA256 of the rest under this user's key (core/seal_key.py), or of the payload, when
a writer adds bytes after it that the payload seals its own way: a torn, truncated or hand-edited file fails it and
reads as missing, and so does one planted by anyone else (a project's __pycache__ is as writable as the project, and
a plain SHA-256 anyone can compute). Without a usable key nothing is read or written: only time is lost.
Writing goes through a temporary file in the same directory and a rename, so a reader sees the old file or the new
one, never a mix; the temporary is created afresh (O_EXCL), so a link planted at its name is not written through.
Plain os functions (no pathlib): `obsgen --help` reads its record with this before anything else.
Only a regular file is read, opened without waiting (O_NONBLOCK): a FIFO planted in a record's place (definitions/
__pycache__ is as writable as definitions/) would otherwise hang the build at open(), and a link to a device
(/dev/zero) would be read up to the limit, or without end where there is none.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from generator.core.bounded_read import open_regular
from generator.core.seal_key import seal, seal_key, sealed


def read_sealed(path: str | os.PathLike[str], limit: int | None = None) -> bytes | None:
    """The bytes kept, or None when the file is missing, unreadable, fails its seal (or there is no key) or holds
    more than limit bytes (a file no writer of this kind could have made is not read whole)."""
    if seal_key() is None:
        return None  # no key: no file can be trusted
    try:
        with open_regular(path) as file:
            data = file.read(-1 if limit is None else limit + 66)  # the digest's line is 65 bytes
    except OSError:
        return None
    if limit is not None and len(data) > limit + 65:
        return None
    digest, _, payload = data.partition(b"\n")
    return payload if sealed(digest, payload) else None


def write_sealed(path: str | os.PathLike[str], payload: bytes,
                 after: Iterable[bytes | memoryview] = ()) -> bool:
    """Keep the bytes (creating the file's directory, not its parents); False when they could not be written.
    `after`: bytes written after them, outside the seal, which the payload seals its own way (a build's record
    holds each file's SHA-256)."""
    tag = seal(payload)
    if tag is None:
        return False
    temporary = f"{os.fspath(path)}.{os.getpid()}"
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(os.path.dirname(temporary) or ".")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)  # a dead writer's, or a link planted at this guessable name: never written through
        # owner-only: a cache may hold what the user's processes compiled or ran (regex texts, a command line)
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
            file.write(tag + b"\n" + payload)
            file.writelines(after)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True
