"""What a build says when it is done: its problems, the checks switched off and what it wrote. Without typer: a
replayed build (quick_build.py) says it too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.cli.problems import Format, echo, report, where

if TYPE_CHECKING:
    from generator.replay import Built

NAMED_CHANGES = 20
"""A watching build names the files it wrote or removed when there are at most this many."""


def say_built(built: Built, out: Path, output: Format, quiet: bool, took: float | None = None) -> None:
    """The build's problems and notes, and what it wrote; a watching build (with `took`, its time) also names the
    files it changed, when few."""
    report(built.problems, output, warnings=not quiet)
    if not quiet:
        for problem, reason in built.disabled:
            echo(where(f"note: {problem.location}: {problem.code} switched off ({reason}): {problem.message}"),
                 err=True)
    written = built.written
    if took is not None and len(written.written) + len(written.removed) <= NAMED_CHANGES:
        for verb, paths in (("wrote", written.written), ("removed", written.removed)):
            for path in paths:
                echo(f"  {verb} {out}/{path}", err=True)
    timed = f" in {took:.3f} s" if took is not None else ""
    echo(f"obsgen: {len(written.written)} written, {len(written.unchanged)} unchanged, "
         f"{len(written.removed)} removed in {out}/{timed}", err=output is not Format.TEXT)
