"""The key that seals obsgen's caches and records: 32 random bytes that only this user can read.

A cache in a project (definitions/__pycache__) is as writable as the project: a pull request can commit one. A seal
anyone can compute (the SHA-256 of what it seals) proves a file whole, not that this user's obsgen wrote it; so a
file's seal is an HMAC-SHA256 under this key, which lives outside any project, in
`${XDG_CACHE_HOME:-~/.cache}/obsgen/seal.key`. The first process that needs it and finds none creates it: written to
a file of its own (mode 0600) and linked into place, which never replaces a key another process linked first. It is
used only when it is a regular file (not a link) of this user with no access for group or others, of exactly 32
bytes; without a usable key nothing is sealed or read, and the caches only cost time. Read once a process.
Never inside a git work tree (XDG_CACHE_HOME set to a checkout's .cache, as CI jobs do): a key there may be
committed, published with the repository, or one a commit put there; obsgen then warns, once, and seals nothing.
Plain os functions: `obsgen --help` reads its record (and so this key) before anything else is imported.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import sys

from generator.core.bounded_read import open_regular

SIZE = 32
_KEYS: dict[str, bytes | None] = {}
"""The key read from each path, once a process (None: no usable key there)."""
_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def key_path() -> str:
    """Where this user's key lives (XDG_CACHE_HOME when it is an absolute path, as the XDG spec says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "obsgen", "seal.key")


def _read(path: str) -> bytes | None:
    """The key at path when it is one this user alone could have written, else None."""
    try:
        with open_regular(path, follow_links=False) as file:  # a link is refused (ELOOP), a FIFO not waited on
            status = os.fstat(file.fileno())
            if status.st_uid != os.getuid() or status.st_mode & 0o077 or status.st_size != SIZE:
                return None
            data = file.read(SIZE + 1)
    except OSError:
        return None
    return data if len(data) == SIZE else None


def _create(path: str) -> None:
    """A new random key at path, unless a file is already there (failures ignored: no key only costs time)."""
    temporary = f"{path}.{os.getpid()}"
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS, 0o600)
        try:
            written = os.write(descriptor, os.urandom(SIZE))
        finally:
            os.close(descriptor)
        if written == SIZE:
            os.link(temporary, path)  # (never over an existing file: of two first writers, one key is everyone's)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def work_tree(directory: str) -> str | None:
    """The git work tree directory is in (the nearest of it and its parents holding a .git, a directory or a
    worktree's file), or None."""
    directory = os.path.realpath(directory)
    while True:
        with contextlib.suppress(OSError):
            os.lstat(os.path.join(directory, ".git"))
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def seal_key() -> bytes | None:
    """This user's key (created the first time), or None when there is no usable one."""
    path = key_path()
    if path not in _KEYS and (tree := work_tree(os.path.dirname(path))) is not None:
        sys.stderr.write(f"warning: obsgen's seal key would be {path}, inside the git work tree {tree}, where it "
                         "could be committed: obsgen's caches are not used; set XDG_CACHE_HOME outside any "
                         "checkout\n")
        _KEYS[path] = None
    if path not in _KEYS:
        key = _read(path)
        if key is None:
            if not os.path.lexists(path):
                _create(path)
            key = _read(path)  # ours, or one another first process linked since this one looked
        _KEYS[path] = key
    return _KEYS[path]


def seal(payload: bytes | memoryview) -> bytes | None:
    """The payload's seal (hex HMAC-SHA256 under this user's key, 64 bytes), or None without a key."""
    key = seal_key()
    return None if key is None else hmac.digest(key, payload, "sha256").hex().encode()


def sealed(digest: bytes | memoryview, payload: bytes | memoryview) -> bool:
    """Whether digest is the payload's seal under this user's key (False without a key)."""
    expected = seal(payload)
    return expected is not None and hmac.compare_digest(expected, bytes(digest))
