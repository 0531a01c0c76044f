"""What typer made of a command line, kept, so that the same command line needs no typer the next time: a help it
printed (printed again from here), or the options of a build it parsed (replayed by quick_build.py).

Both are functions of the command line, the interpreter, the environment, the terminal's size and the modules that
define the commands (typer's and click's own included). Importing typer and every command's options is most of a
light command's time (60-90 ms of 0.15 s: a help, or a build that nothing changed and that its record replays). So
what typer made is kept with the size and mtime of every module file the process had loaded and of every sys.path
directory, and the names an import could find in each such directory (installing or removing a package changes
them; a tool's dot-entry, .pytest_cache or .out.lock in a checkout on sys.path, changes only the mtime); the same
command line, with all of those unchanged, takes it from here. Anything else goes through typer again: the record
can only save time, never change what a command does.

A help is kept only for command names followed by --help: there --help cannot be an option's value, and click
prints the help while parsing, before any command runs. A build's options are kept when the build command has them
(quick_build.parsed), not for a watch or a time-compressed build. The record (the last command lines, as JSON
sealed by this user's key: core/sealed_file.py) lives in generator/cli/__pycache__, beside the CLI's bytecode,
under the same switch: nothing is written under PYTHONDONTWRITEBYTECODE. Programs that keep theirs at once
(`make -j`, a test suite's workers) take turns, each reading the record again under a lock before writing it, so
none loses another's. A replay imports only what the interpreter's start has loaded, json, hashlib and hmac.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import sys
from collections.abc import Iterator

from generator.core.command_environment import environment
from generator.core.sealed_file import read_sealed, write_sealed

TYPE_CHECKING = False  # not typing's: importing typing is 4 ms of a replayed help's 30
if TYPE_CHECKING:
    from typing import Any

FORMAT = 3
KEPT = 8
"""Command lines kept, the most recent: `obsgen --help`, `obsgen build --help` and `obsgen build` in turn all hit."""
LIMIT = 1 << 20
"""Largest record read: eight helps are about 150 KB."""
RECORD = os.path.join(os.path.dirname(__file__), "__pycache__", "obsgen-commands.record")
COMMAND_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
BUILD = "build"
_parsing: CommandRecord | None = None
"""The program's command line while typer runs it (CommandRecord.recording), which a build's options are kept for."""


def _status(path: str) -> list[int] | None:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return [status.st_size, status.st_mtime_ns]


def _terminal() -> list[int] | None:
    """What shutil.get_terminal_size() reads besides COLUMNS and LINES (which are in the environment)."""
    try:
        return list(os.get_terminal_size(sys.__stdout__.fileno()))  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return None


def _directory(path: str) -> list[object] | None:
    """A sys.path entry's size and mtime and, for a directory, a digest of the names an import could find in it
    or site could run: not a dot-name (a module's name never starts with a dot) but a .pth (site runs those at the
    start, 3.11.7's hidden ones too), nor bytecode's __pycache__."""
    status = _status(path)
    if status is None:
        return None
    try:
        names = sorted(name for name in os.listdir(path)
                       if (name[:1] != "." or name.endswith(".pth")) and name != "__pycache__")
    except (OSError, ValueError):
        return [*status]  # a zip
    return [*status, hashlib.sha256("\0".join(names).encode()).hexdigest()]


def _same_directory(path: str, kept: object) -> bool:
    """Whether a sys.path entry holds what it held: the same size and mtime, or else the same names (listed only
    then: the status is all a replay usually reads)."""
    now = _status(path)
    if now is None or not isinstance(kept, list):
        return now == kept
    return now == kept[:2] or (len(kept) == 3 and _directory(path) == [*now, kept[2]])


def _sources() -> dict[str, list[list[object]]]:
    """Every loaded module's file with its size and mtime, and every sys.path entry as _directory has it (None
    when missing)."""
    files = {file for module in list(sys.modules.values()) if isinstance(file := getattr(module, "__file__", 0), str)}
    return {"files": [[file, _status(file)] for file in sorted(files - set(sys.path))],
            "path": [[entry, _directory(entry)] for entry in sorted(set(sys.path))]}


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """One program at a time reads the record again and writes it (programs run at once, as `make -j` or a test
    suite's workers run them, would each write what they read and lose the others' command lines): an exclusive
    lock on the record's directory, which is created as write_sealed creates it. Without it (a directory that
    cannot be opened or locked) the record is written as before."""
    import fcntl  # (only here: a replay never writes)

    directory = os.path.dirname(RECORD)
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory)
        handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # (and the lock with it)


def _changed(sources: dict[str, Any]) -> str | None:
    """The first of a record's inputs that changed, with what it was and is (None: none did)."""
    for file, status in sources["files"]:
        if _status(file) != status:
            return f"module file {file}: was {status}, now {_status(file)}"
    for path, kept in sources["path"]:
        if not _same_directory(path, kept):
            return f"sys.path entry {path!r}: was {kept}, now {_directory(path)}"
    return None


def _print(text: str) -> None:
    """Write to stdout; a reader that has gone (`obsgen --help | head -1`) ends the output, not in a traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's own flush finds no pipe either


class CommandRecord:
    """What typer made of one command line before, when the command line is one whose result is kept."""

    def __init__(self, arguments: list[str]) -> None:
        self.help_wanted = arguments[-1:] == ["--help"] and all(
            name[:1].isalpha() and set(name) <= COMMAND_NAME for name in arguments[:-1])
        self.build_wanted = arguments[:1] == [BUILD] and not self.help_wanted
        # taken before the commands' modules load (they may set variables); a digest: the environment and the
        # command line may hold secrets (a token exported for another tool), which the record never keeps
        self.key = hashlib.sha256(json.dumps([FORMAT, sys.version, sys.executable, sys.path, os.getcwd(),
                                              environment(), arguments, _terminal()]).encode()).hexdigest()

    @functools.cached_property
    def _kept(self) -> list[dict[str, Any]]:
        """The kept command lines, most recent first (those of others included); read once, by a replay or, on a
        miss, by the recording that adds to them."""
        payload = read_sealed(RECORD, LIMIT) if self.help_wanted or self.build_wanted else None
        try:
            kept = json.loads(payload) if payload is not None else []
        except ValueError:
            return []
        # (an entry keyed otherwise, by an older obsgen, is dropped at the next write)
        return [entry for entry in kept if isinstance(entry, dict) and isinstance(entry.get("key"), str)] \
            if isinstance(kept, list) else []

    def _entry(self) -> dict[str, Any] | None:
        """The kept entry of this command line's key, if any."""
        return next((entry for entry in self._kept if entry.get("key") == self.key), None)

    def _made(self, field: str) -> Any:
        """What typer made of this command line (its `field`), when nothing it was made from has changed."""
        entry = self._entry()
        try:
            return entry[field] if entry is not None and _changed(entry["sources"]) is None else None
        except (KeyError, TypeError, ValueError):
            return None

    def why_missed(self) -> str | None:
        """Why typer runs this command line again (None: its kept result is used): no entry of its key among the
        kept, or the first input that changed. For a test that expects a replay to say why it got none."""
        if not (self.help_wanted or self.build_wanted):
            return "not a command line whose result is kept"
        entry = self._entry()
        if entry is None:
            return f"no entry of this command line's key among the {len(self._kept)} kept"
        try:
            return _changed(entry["sources"])
        except (KeyError, TypeError, ValueError) as error:
            return f"a malformed entry: {error!r}"

    def _keep(self, field: str, made: object) -> None:
        """Keep what typer made of this command line, with the modules it was made from (the oldest others make
        room), unless it is kept already or bytecode is not written."""
        if sys.dont_write_bytecode or self._made(field) == made:
            return
        with _writing():
            # read again: another program may have kept its command line since this one read the record (before
            # typer, 60-90 ms earlier, seconds on a busy machine); writing what was read then lost it
            self.__dict__.pop("_kept", None)
            others = [entry for entry in self._kept if entry.get("key") != self.key][:KEPT - 1]
            kept = [{"key": self.key, field: made, "sources": _sources()}, *others]
            while kept and len(payload := json.dumps(kept).encode()) > LIMIT:
                kept.pop()  # the oldest go first; one too large alone is not kept
            if kept:
                write_sealed(RECORD, payload)

    def replay_help(self) -> bool:
        """Print the kept help and say so, when it is this command line's and nothing it came from changed."""
        text = self._made("help") if self.help_wanted else None
        if not isinstance(text, str):
            return False
        _print(text)
        return True

    def build_options(self) -> dict[str, Any] | None:
        """The options typer parsed from this build command line before, when nothing they came from changed."""
        options = self._made(BUILD) if self.build_wanted else None
        return options if isinstance(options, dict) else None

    def parsed_build(self, options: dict[str, Any]) -> None:
        """Keep the options of the build this command line is (JSON values)."""
        if self.build_wanted:
            self._keep(BUILD, options)

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Run the command through typer, keeping a help it printed in full with exit status 0, or the options of
        the build it parsed."""
        global _parsing
        _parsing = self
        if not self.help_wanted:
            try:
                yield
            finally:
                _parsing = None
            return
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                yield
        except SystemExit as done:
            text = printed.getvalue()
            if done.code in (0, None) and text and "\x1b" not in text:
                self._keep("help", text)
            raise
        finally:
            _parsing = None
            _print(printed.getvalue())


def parsed_build(options: dict[str, Any]) -> None:
    """Keep the options typer parsed for the program's build command line (none outside the program)."""
    if _parsing is not None:
        _parsing.parsed_build(options)
