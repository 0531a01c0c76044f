"""`obsgen build --watch`: a rebuild on every save under definitions/, in one warm process.

The process keeps what a cold build pays for once: imported libraries, pydantic's validators, every PromQL
expression's parse, every file's last bytes, and the definitions modules that did not change (load/warm.py).
Each rebuild is the ordinary build (same pipeline, same atomic swap of out/), so out/ is exactly what
`obsgen build` would leave. Saves are seen by polling (no dependency, any filesystem).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import typer

from generator.cli.problems import relative

INTERVAL = 0.05
"""Seconds between two looks at definitions/: a save is picked up within this, and an idle look costs a stat
per file."""

Snapshot = dict[str, tuple[int, int]]


def snapshot(definitions: Path) -> Snapshot:
    """Every file under definitions/ (bytecode aside) with its modification time (ns) and size: a module may read
    a file beside it."""
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
            elif entry.is_file(follow_symlinks=False):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                found[entry.path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, edited or removed between two snapshots."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(definitions: Path, rebuild: Callable[[], object], stop: Callable[[], bool] = lambda: False) -> None:
    """Build now, then again after every change under definitions/, until interrupted (or stop() says so)."""
    typer.echo(f"obsgen: watching {relative(str(definitions.resolve()))}/ (Ctrl-C stops)", err=True)
    seen = snapshot(definitions)
    rebuild()
    try:
        while not stop():
            time.sleep(INTERVAL)
            now = snapshot(definitions)
            edited = changed(seen, now)
            if not edited:
                continue
            seen = now
            typer.echo("changed: " + ", ".join(relative(path) for path in edited), err=True)
            rebuild()
    except KeyboardInterrupt:
        pass
