"""The configuration files a server reads, where they live (a directory, or a remote reached by commands)."""

from __future__ import annotations

import difflib
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

Files = dict[str, bytes]
"""Relative path -> content of each managed file."""


def collect(root: Path, patterns: tuple[str, ...]) -> Files:
    """The files under root matching the patterns (e.g. "prometheus.yml", "rules/*.yml")."""
    found: Files = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def materialise(files: Files, root: Path) -> None:
    """Write the files under root (which holds nothing else that matters)."""
    for relative, data in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@dataclass(frozen=True)
class Change:
    """How one set of managed files differs from another."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @classmethod
    def between(cls, old: Files, new: Files) -> Change:
        """What turns old into new."""
        return cls(added=tuple(sorted(set(new) - set(old))),
                   changed=tuple(sorted(p for p in set(new) & set(old) if new[p] != old[p])),
                   removed=tuple(sorted(set(old) - set(new))))

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line: which files are added, changed, removed."""
        parts = [f"{label} {', '.join(paths)}" for label, paths in
                 (("added", self.added), ("changed", self.changed), ("removed", self.removed)) if paths]
        return "; ".join(parts) or "no file changes"


def unified_diff(old: Files, new: Files, old_root: str, new_root: str) -> str:
    """A unified diff of the text of every file that differs, for --dry-run."""
    lines: list[str] = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path, b"").decode(), new.get(path, b"").decode()
        if before != after:
            lines += difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                          f"{old_root}/{path}" if path in old else "/dev/null",
                                          f"{new_root}/{path}" if path in new else "/dev/null")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


class Store(Protocol):
    """Where a server reads its configuration files from."""

    def read(self, patterns: tuple[str, ...]) -> Files:
        """The managed files there now."""

    def replace(self, files: Files, patterns: tuple[str, ...]) -> None:
        """Make the managed files there exactly these (files matching patterns but not given are deleted)."""

    def describe(self) -> str:
        """Where it is, for messages."""


@dataclass(frozen=True)
class DirectoryStore:
    """A directory on this machine (or mounted here) that the server reads, e.g. /etc/prometheus."""

    root: Path

    def read(self, patterns: tuple[str, ...]) -> Files:
        """The managed files in the directory."""
        return collect(self.root, patterns)

    def replace(self, files: Files, patterns: tuple[str, ...]) -> None:
        """Write each file atomically (the server may reload at any moment), then delete stale ones."""
        for relative, data in files.items():
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as tmp:
                tmp.write(data)
            if target.exists():
                os.chmod(tmp.name, target.stat().st_mode & 0o7777)
            else:
                os.chmod(tmp.name, 0o644)  # servers often run as their own user and must read it
            os.replace(tmp.name, target)
        for stale in sorted(set(collect(self.root, patterns)) - set(files)):
            path = self.root / stale
            path.unlink()
            for parent in path.parents:  # directories that held only obsgen's files go too
                if parent == self.root or any(parent.iterdir()):
                    break
                parent.rmdir()

    def describe(self) -> str:
        """The directory."""
        return str(self.root)


class CommandError(Exception):
    """A user-configured copy command failed."""


def _run(command: str, directory: Path) -> None:
    line = command.replace("{dir}", shlex.quote(str(directory)))
    proc = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise CommandError(f"`{line}` exited with {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-1000:]}")


@dataclass(frozen=True)
class CommandStore:
    """A remote directory reached by two user-configured shell commands, each given a local {dir}.

    pull copies the remote managed files into {dir} (e.g. `rsync -a host:/etc/prometheus/ {dir}/`); push makes
    the remote managed files exactly those in {dir} (e.g. `rsync -a --delete {dir}/ host:/etc/prometheus/`).
    """

    pull: str
    push: str

    def read(self, patterns: tuple[str, ...]) -> Files:
        """Pull into a scratch directory and read the managed files from it."""
        with tempfile.TemporaryDirectory(prefix="obsgen-pull-") as scratch:
            _run(self.pull, Path(scratch))
            return collect(Path(scratch), patterns)

    def replace(self, files: Files, patterns: tuple[str, ...]) -> None:
        """Write exactly these files into a scratch directory and push it."""
        with tempfile.TemporaryDirectory(prefix="obsgen-push-") as scratch:
            materialise(files, Path(scratch))
            _run(self.push, Path(scratch))

    def describe(self) -> str:
        """The push command."""
        return f"`{self.push}`"
