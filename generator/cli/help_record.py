"""`obsgen [COMMAND...] --help` printed from its record when nothing it was rendered from has changed.

A help text is a function of the command line, the interpreter, the environment, the terminal's size and the
modules that define the commands (typer's and click's own included). Rendering it imports typer and every command's
options, most of the process (60-90 ms of 0.15 s). So a help is rendered through typer once and kept with the size
and mtime of every module file the process had loaded and of every sys.path directory (installing or removing a
package changes its directory); the same command line, with all of those unchanged, prints the kept text without
importing typer. Anything else renders again: the record can only save time, never change a text.

Only command names followed by --help are kept: there --help cannot be an option's value, and click prints the help
while parsing, before any command runs. The record (the last helps rendered, as sealed JSON) lives in
generator/cli/__pycache__, beside the CLI's bytecode, under the same switch: nothing is written under
PYTHONDONTWRITEBYTECODE. It imports only what the interpreter's start has loaded, json and hashlib.
"""

from __future__ import annotations

import contextlib
import functools
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

FORMAT = 1
KEPT = 8
"""Command lines whose help is kept, the most recent: `obsgen --help` and `obsgen build --help` in turn both hit."""
LIMIT = 1 << 20
"""Largest record read: eight helps are about 150 KB."""
RECORD = os.path.join(os.path.dirname(__file__), "__pycache__", "obsgen-help.record")
COMMAND_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
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


def _sources() -> list[list[object]]:
    """Every loaded module's file and every sys.path directory, with its size and mtime (None when missing)."""
    files = {file for module in list(sys.modules.values()) if isinstance(file := getattr(module, "__file__", 0), str)}
    return [[file, _status(file)] for file in sorted(files | set(sys.path))]


def _print(text: str) -> None:
    """Write to stdout; a reader that has gone (`obsgen --help | head -1`) ends the output, not in a traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's own flush finds no pipe either


class HelpRecord:
    """The kept help of one command line, when the command line asks for help."""

    def __init__(self, arguments: list[str]) -> None:
        self.wanted = arguments[-1:] == ["--help"] and all(
            name[:1].isalpha() and set(name) <= COMMAND_NAME for name in arguments[:-1])
        # taken before the commands' modules load (they may set variables), as JSON reads it back (tuples as lists)
        self.key = json.loads(json.dumps([FORMAT, sys.version, sys.executable, sys.path, os.getcwd(), environment(),
                                          arguments, _terminal()]))

    @functools.cached_property
    def _kept(self) -> list[dict[str, Any]]:
        """The kept helps, most recent first (those of other command lines included); read once, by the replay
        or, on a miss, by the recording that adds to them."""
        payload = read_sealed(RECORD, LIMIT) if self.wanted else None
        try:
            kept = json.loads(payload) if payload is not None else []
        except ValueError:
            return []
        return [entry for entry in kept if isinstance(entry, dict)] if isinstance(kept, list) else []

    def replay(self) -> bool:
        """Print the kept help and say so, when it is this command line's and nothing it was rendered from changed."""
        entry = next((entry for entry in self._kept if entry.get("key") == self.key), None)
        try:
            if entry is None or any(_status(file) != status for file, status in entry["sources"]):
                return False
            text = entry["text"]
        except (KeyError, TypeError, ValueError):
            return False
        if not isinstance(text, str):
            return False
        _print(text)
        return True

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Run the command, keeping what it printed when it was a help printed in full with exit status 0."""
        if not self.wanted:
            yield
            return
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                yield
        except SystemExit as done:
            text = printed.getvalue()
            if done.code in (0, None) and text and "\x1b" not in text and not sys.dont_write_bytecode:
                others = [entry for entry in self._kept if entry.get("key") != self.key][:KEPT - 1]
                kept = [{"key": self.key, "text": text, "sources": _sources()}, *others]
                while kept and len(payload := json.dumps(kept).encode()) > LIMIT:
                    kept.pop()  # the oldest go first; a help too large alone is not kept
                if kept:
                    write_sealed(RECORD, payload)
            raise
        finally:
            _print(printed.getvalue())
