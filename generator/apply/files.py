"""The configuration files a server reads, where they live (a directory, or a remote reached by commands)."""

from __future__ import annotations

import difflib
import grp
import os
import pwd
import re
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator.apply import shell
from generator.apply.http import hide_user_parts
from generator.core import secret_scan
from generator.core.bounded_read import read_bounded
from generator.core.planted_links import first_link

Files = dict[str, bytes]
"""Relative path -> content of each managed file."""
MAX_BYTES = 16 * 2**20  # out/'s largest file, a rules file, is about 0.1 MiB
NEW_FILE_MODE = 0o640  # alertmanager.yml may hold secrets: never world-readable unless the server's file was


class OutFileError(ValueError):
    """A file apply does not read: a symbolic link in out/, not a regular file, or over MAX_BYTES."""


def _read(path: Path, follow_links: bool = True) -> bytes:
    try:
        return read_bounded(path, MAX_BYTES, follow_links=follow_links)
    except (OSError, ValueError) as error:  # over the bound; a link not followed; gone or changed kind since listed
        raise OutFileError(f"{path}: {getattr(error, 'strerror', None) or error}") from None


def collect(root: Path, patterns: tuple[str, ...]) -> Files:
    """The files under root matching the patterns (e.g. "prometheus.yml", "rules/*.yml"), each within MAX_BYTES: a
    server's directory or out/ may hold anything (OutFileError naming the file otherwise)."""
    found: Files = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = _read(path)
    return found


def collect_out(root: Path, patterns: tuple[str, ...]) -> Files:
    """out/'s files under root matching the patterns, read as regular files only (OutFileError otherwise).

    out/ given to apply may come from a pull request: a symbolic link in it would copy (and --dry-run print)
    whatever file it points at onto the server, so a link anywhere from root down is refused, not followed.
    """
    found: Files = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            link = root if root.is_symlink() else first_link(root, path)
            if link is not None:
                raise OutFileError(f"{link} is a symbolic link (to {os.readlink(link)}): apply copies only "
                                   "regular files of out/, never what a link points at")
            if path.is_dir():
                continue
            found[path.relative_to(root).as_posix()] = _read(path, follow_links=False)
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


KEY_VALUE = re.compile(r"^(?>[ \t-]*+(?=[\w.])|[ \t-]*(?=-))(?P<key>[\w.-]++)[ \t]*:[ \t]*+"
                       r"(?P<value>\S(?:[ \t]*+[^ \t\n])*+)[ \t]*$", re.MULTILINE)
"""A YAML line's `key: value` (a list item's too), the value without its trailing blanks. Linear in the line, on a
server's text: the key starts after the line's run of blanks and dashes (or at its last dash, when no word
follows: `---: x`), and the value runs to the line's last non-blank; a run of dashes split every way between the
two, and a value's trailing blanks rescanned at each character, made 20k characters take 2.7 s."""
REDACTED = "<redacted>"


def redacted(text: str) -> str:
    """text with every secret the project's scanner finds in it (and every value under a key that only holds
    secrets: smtp_auth_password, api_url...) replaced: a server's pre-obsgen configuration may carry them inline,
    and --dry-run's diff goes to CI logs."""
    values = {secret.value for secret in secret_scan.find(text, expands=False)}
    for match in KEY_VALUE.finditer(text):
        found = secret_scan.under_key(match["key"], match["value"].strip("'\""), expands=False)
        if found is not None:
            values.add(found.value)
    for value in sorted(values, key=len, reverse=True):  # a URL before the token inside it
        text = text.replace(value, REDACTED)
    return text


def unified_diff(old: Files, new: Files, old_root: str, new_root: str) -> str:
    """A unified diff of the text of every file that differs, secrets redacted, for --dry-run."""
    lines: list[str] = []
    for path in sorted(set(old) | set(new)):
        before, after = (redacted(files.get(path, b"").decode(errors="replace")) for files in (old, new))
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
        """Make the managed files there exactly these (files matching patterns but not given are deleted);
        patterns[0] is the server's main configuration file."""

    def describe(self) -> str:
        """Where it is, for messages."""

    def local_path(self, path: str) -> Path | None:
        """Where a file the server's configuration names (relative to its configuration directory, as the
        server resolves it) is on this machine; None when the server's files are not here."""


class OwnerKept(OSError):
    """A file cannot be written with its owner and group kept (obsgen does not run as root or as its owner)."""


def _name(uid: int, gid: int) -> str:
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return f"{user}:{group}"


@dataclass(frozen=True)
class Attributes:
    """Owner, group and permission bits a file of the server's must keep: a server running as its own user
    reads alertmanager.yml through its group (0640 root:prometheus); a file rewritten as root:root would be
    unreadable at its next restart."""

    uid: int
    gid: int
    mode: int

    @classmethod
    def of(cls, path: Path) -> Attributes:
        """Those of an existing file or directory."""
        status = path.stat()
        return cls(status.st_uid, status.st_gid, status.st_mode & 0o7777)

    def give(self, path: Path, target: Path) -> None:
        """Set them on path (which will replace target); OwnerKept when this user may not."""
        status = path.stat()
        if (status.st_uid, status.st_gid) != (self.uid, self.gid):
            try:
                os.chown(path, self.uid, self.gid)
            except PermissionError:
                raise OwnerKept(f"{target} belongs to {_name(self.uid, self.gid)} and obsgen runs as "
                                f"{_name(os.geteuid(), os.getegid())}: it would change the file's owner, and the "
                                "server may no longer read it; run obsgen apply as root or as that owner") from None
        os.chmod(path, self.mode)  # after chown, which clears set-id bits


@dataclass(frozen=True)
class DirectoryStore:
    """A directory on this machine (or mounted here) that the server reads, e.g. /etc/prometheus."""

    root: Path

    def read(self, patterns: tuple[str, ...]) -> Files:
        """The managed files in the directory."""
        return collect(self.root, patterns)

    def replace(self, files: Files, patterns: tuple[str, ...]) -> None:
        """Write each file atomically (the server may reload at any moment) keeping the owner, group and mode it
        had (a new file takes those of the main configuration file, which the server reads), then delete stale
        ones. Every file is staged first: when one cannot keep its owner, none is replaced."""
        main = self.root / patterns[0]
        new_file = Attributes.of(main) if main.exists() else Attributes(
            os.geteuid(), self.root.stat().st_gid, NEW_FILE_MODE)
        staged: list[tuple[Path, Path]] = []
        made: list[Path] = []
        try:
            for relative, data in files.items():
                target = self.root / relative
                self._directories(target.parent, made)
                with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as tmp:
                    staged.append((Path(tmp.name), target))
                    tmp.write(data)
                (Attributes.of(target) if target.exists() else new_file).give(Path(tmp.name), target)
        except BaseException:
            for name, _ in staged:
                name.unlink(missing_ok=True)
            for directory in reversed(made):
                directory.rmdir()
            raise
        for name, target in staged:
            os.replace(name, target)
        for stale in sorted(set(collect(self.root, patterns)) - set(files)):
            path = self.root / stale
            path.unlink()
            for parent in path.parents:  # directories that held only obsgen's files go too
                if parent == self.root or any(parent.iterdir()):
                    break
                parent.rmdir()

    def _directories(self, directory: Path, made: list[Path]) -> None:
        """Make directory and its missing parents (added to made) with the configuration directory's owner, group
        and mode."""
        for path in [d for d in (directory, *directory.parents) if not d.exists()][::-1]:
            path.mkdir()
            made.append(path)
            Attributes.of(self.root).give(path, path)

    def describe(self) -> str:
        """The directory."""
        return str(self.root)

    def local_path(self, path: str) -> Path | None:
        """The path itself when absolute, else under the directory."""
        return self.root / path


class CommandError(Exception):
    """A user-configured copy command failed."""


def _run(command: str, directory: Path) -> None:
    line = command.replace("{dir}", shlex.quote(str(directory)))
    try:
        returncode, output = shell.run(line, shell.COMMAND_TIMEOUT)
    except shell.CommandTimeout as error:
        raise CommandError(hide_user_parts(str(error))) from None
    if returncode != 0:
        raise CommandError(hide_user_parts(f"`{line}` exited with {returncode}: {output.strip()[-1000:]}"))


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
        """The push command (without the user parts of URLs in it)."""
        return hide_user_parts(f"`{self.push}`")

    def local_path(self, path: str) -> Path | None:
        """None: the files are on the remote host."""
        return None
