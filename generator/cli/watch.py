"""`obsgen build --watch`: a rebuild on every save under definitions/, in one warm process.

The process keeps what a cold build pays for once: imported libraries, pydantic's validators, every PromQL
expression's parse, every file's last bytes, and the definitions modules that did not change (load/warm.py).
Each rebuild is the ordinary build (same pipeline, same atomic swap of out/), so out/ is exactly what
`obsgen build` would leave. Saves wake it through inotify where Linux has it, else a timer (saves.py).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import typer

from generator.cli.problems import relative
from generator.cli.saves import FALLBACK, Saves

Snapshot = dict[str, tuple[int, int]]


def editors_own(name: str) -> bool:
    """Whether a file is an editor's own, never a definition's: hidden (vim's .x.py.swp, which it rewrites as one
    types, and the temporary file an editor saves to before renaming it over the module; emacs' .#x.py lock), a
    backup (x.py~), emacs' autosave (#x.py#) or the file vim makes to test a directory (4913). A change to one is
    no save: a look that saw the temporary file alone would build the old module, then again on the rename."""
    return name.startswith((".", "#")) or name.endswith("~") or name == "4913"


def snapshot(definitions: Path) -> Snapshot:
    """Every file under definitions/ (bytecode and editors' files aside) with its modification time (ns) and size:
    a module may read a file beside it."""
    found: Snapshot = {}
    pending = [str(definitions)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                pending.append(entry.path)
            elif entry.is_file(follow_symlinks=False) and not editors_own(entry.name):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                found[entry.path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, edited or removed between two snapshots."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(definitions: Path, rebuild: Callable[[], object]) -> None:
    """Build now, then again after every change under definitions/, until Ctrl-C (SIGINT) or SIGTERM."""
    stop = _stop_on_signals()
    typer.echo(f"obsgen: watching {relative(str(definitions.resolve()))}/ (Ctrl-C stops)", err=True)
    with Saves(definitions) as saves:
        seen = snapshot(definitions)
        rebuild()
        unfollowed = 0
        while not stop.asked:
            unfollowed = say_unfollowed(saves, unfollowed)
            saves.wait()
            now = snapshot(definitions)
            edited = changed(seen, now)
            if not edited:
                continue
            seen = now
            typer.echo("changed: " + ", ".join(relative(path) for path in edited), err=True)
            rebuild()


def say_unfollowed(saves: Saves, said: int) -> int:
    """Say when the number of folders the kernel does not report saves in changes (and how they are seen)."""
    if len(saves.unfollowed) != said and saves.unfollowed:
        typer.echo(f"obsgen: inotify does not follow {len(saves.unfollowed)} of the folders under "
                   f"{relative(str(saves.root.resolve()))}/ (fs.inotify.max_user_watches is reached): a save there "
                   f"is seen within {FALLBACK:g} s", err=True)
    return len(saves.unfollowed)


class _Stop:
    """Whether a stop was asked; set by a signal handler, which is why it is a plain attribute (a lock or an
    Event's set() inside a handler deadlocks when the signal lands while the main thread holds it)."""

    asked = False


def _stop_on_signals() -> _Stop:
    """Set by the first SIGINT or SIGTERM; a second SIGINT interrupts at once (a definitions module that never
    returns). The first only asks: the build under way finishes and the process exits 0, on a service manager's
    SIGTERM as on Ctrl-C, and also during the first build. A signal the shell ignores (a background job's SIGINT
    in a script) stays ignored: SIGTERM stops such a watch."""
    stop = _Stop()

    def ask(signum: int, frame: FrameType | None) -> None:
        if stop.asked and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.asked = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, ask)
    return stop
