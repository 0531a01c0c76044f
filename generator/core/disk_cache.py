"""Results kept on disk between builds, which can only save time: a missing, stale or damaged file reads as empty.

The file holds one JSON object, sealed by this user's key (generator/core/sealed_file.py): a torn, edited or planted
file (a project's __pycache__ is as writable as the project) fails its seal and is ignored, so a wrong entry can
only come from this user's obsgen. Entries are stamped with a version naming everything
their values depend on (the parser's release, the source of the code computing them): any change empties it.
The file lives in the definitions package's __pycache__, beside the bytecode of the same modules, and follows the
same switch: nothing is written under PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
from functools import cache
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

import orjson

from generator.core.sealed_file import read_sealed, write_sealed


@cache
def source_digest(*files: str) -> str:
    """A short digest of source files: a cache of what their code computes is stale once they change. Taken once
    a process (a watch builds many times), which is also the code the process runs."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()[:16]


def _normalized(name: str) -> str:
    """A distribution's name as importlib.metadata compares them (PEP 503, '_' for the separators)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _listed_version(name: str) -> str | None:
    """The version importlib.metadata.version(name) gives, read as it reads it (the first entry of sys.path holding
    the distribution's .dist-info, its METADATA's Version), or None for anything else it reads (an .egg-info, an
    egg directory or a zip on the path, a finder of distributions ahead of sys.path's, a METADATA without a Version
    on one line), which it is then asked for."""
    if any(hasattr(finder, "find_distributions") for finder in sys.meta_path if finder is not PathFinder):
        return None  # (importlib.metadata asks every finder of sys.meta_path, in order)
    wanted = _normalized(name)
    for entry in sys.path:
        directory = entry or os.getcwd()  # (absolute, as importlib.metadata lists it: a build's record reads it)
        try:
            children = os.listdir(directory)
        except NotADirectoryError:
            return None  # a zip on the path, read by importlib.metadata alone
        except OSError:
            continue  # (as importlib.metadata passes over entries it cannot list)
        found = sorted(child for child in children
                       if child.lower().endswith((".dist-info", ".egg-info"))
                       and _normalized(child.rpartition(".")[0].partition("-")[0]) == wanted)
        if not found:
            if os.path.basename(directory).lower().endswith(".egg") and "egg-info" in map(str.lower, children):
                return None  # an egg directory: its EGG-INFO, importlib.metadata's to read
            continue
        if len(found) > 1 or not found[0].lower().endswith(".dist-info"):
            return None  # two of them, or an egg's: as importlib.metadata orders them
        try:
            with open(os.path.join(directory, found[0], "METADATA"), encoding="utf-8") as file:
                lines = iter(file)
                for line in lines:
                    if not line.strip():
                        break  # the end of the headers
                    if line[:len("Version:")].lower() == "version:":  # (email's header names are any case)
                        following = next(lines, "")
                        if following[:1] in (" ", "\t"):
                            break  # folded onto lines of its own
                        return line[len("Version:"):].lstrip(" \t").rstrip("\n")  # as email's parser keeps it
        except (OSError, ValueError):
            pass
        return None
    return None


@cache
def package_version(name: str) -> str:
    """An installed distribution's version, looked up once a process: from its .dist-info's METADATA, found as
    importlib.metadata finds it, without importing importlib.metadata (its import and search, 10-15 ms of a
    build's process); anything unusual is importlib.metadata's to read."""
    listed = _listed_version(name)
    if listed is not None:
        return listed
    from importlib.metadata import version

    return version(name)


def value_digest(value: Any) -> str | None:
    """A digest of a document made of dicts, lists, tuples, strings, numbers, booleans and None, with their exact
    types (a tuple is not a list, 1 not 1.0), or None for anything else. Over marshal's version-0 encoding: no
    back-references (not even to interned strings), so equal documents digest alike whatever objects they share."""
    try:
        return hashlib.sha256(marshal.dumps(value, 0)).hexdigest()
    except ValueError:  # a value marshal cannot write
        return None


LIMIT = 64 * 2**20
"""Largest cache file read or written (this repository's largest, its PromQL facts, is 128 KiB): a file
planted past it is not read whole into memory."""

_LAST: dict[Path, tuple[tuple[int, int, int], str, dict[str, Any]]] = {}
"""Per cache file: its identity, version and entries when this process last read or wrote it."""


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def _remember(path: Path, identity: tuple[int, int, int] | None, version: str, entries: dict[str, Any]) -> None:
    if identity is None:
        _LAST.pop(path, None)
    else:
        _LAST[path] = (identity, version, dict(entries))


class DiskCache:
    """One kind of entries (text -> JSON value) of one definitions package: read once, written back at most once,
    holding exactly the entries used since it was opened."""

    def __init__(self, definitions: Path, kind: str, version: str) -> None:
        self.path = definitions / "__pycache__" / f"obsgen-{kind}.cache"
        self.version = version
        self._stored = self._read()
        self._used: dict[str, Any] = {}

    def _read(self) -> dict[str, Any]:
        """The file's entries; in a long-lived process (a watching build), those this process last read or wrote
        when the file is still that one (same inode, size and mtime: every write is a new file renamed over it)."""
        identity = _identity(self.path)
        known = _LAST.get(self.path)
        if identity is not None and known is not None and known[:2] == (identity, self.version):
            return dict(known[2])
        payload = read_sealed(self.path, LIMIT)
        try:
            content = orjson.loads(payload) if payload is not None else {}
            entries = content["entries"] if content["version"] == self.version else {}
        except (ValueError, KeyError, TypeError):
            return {}
        if not isinstance(entries, dict):
            return {}
        _remember(self.path, identity, self.version, entries)
        return entries

    def __contains__(self, key: str) -> bool:
        """Whether the entry is among those used in this run."""
        return key in self._used

    def get(self, key: str) -> Any:
        """The stored value, or None."""
        value = self._stored.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        """Remember a value computed in this run."""
        self._used[key] = value

    def save(self) -> None:
        """Write the entries used in this run when they differ from the file's (atomically; failures ignored)."""
        if self._used == self._stored or sys.dont_write_bytecode:
            return
        payload = orjson.dumps({"version": self.version, "entries": self._used})
        if len(payload) <= LIMIT and write_sealed(self.path, payload):
            self._stored = dict(self._used)
            _remember(self.path, _identity(self.path), self.version, self._stored)
