"""The obsgen program: a help printed before is printed from its record (command_record.py), and a build whose
options were parsed before runs (replayed when nothing it read changed: quick_build.py) before anything else is
imported; any other command line goes to the typer app (app.py)."""

from __future__ import annotations

import gc
import os
import sys

from generator.cli import command_record


def main() -> None:
    """The obsgen program (its console script, and python -m generator)."""
    # obsgen's models run no pydantic plugin; looking for them scans every installed distribution's entry points on
    # the first validation (10-20 ms a process). PYDANTIC_DISABLE_PLUGINS="" (or a list of names) looks again. Set
    # first: the records' keys hold the environment.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    command_line = command_record.CommandRecord(sys.argv[1:])
    if command_line.replay_help():
        return
    try:
        options = command_line.build_options()
        if options is not None:
            from generator.cli import quick_build

            try:
                status = quick_build.built(options, sys.argv[1:])
            except BrokenPipeError:  # the reader went away (`obsgen build --format json | head -1`): as click does,
                devnull = os.open(os.devnull, os.O_WRONLY)  # nothing more is said, and the exit status is 1
                os.dup2(devnull, sys.stdout.fileno())
                os.dup2(devnull, sys.stderr.fileno())
                raise SystemExit(1) from None
            if status is not None:
                raise SystemExit(status)
        from generator.cli.app import app  # typer and the commands' options: most of a light command's time

        with command_line.recording():
            app(prog_name="obsgen")
    finally:
        # What the command built lives until the process exits; frozen, it is not walked again by the collections
        # of the interpreter's shutdown (0.12-0.17 s of CPU after a build of kube-prometheus, a fifth of the process).
        gc.freeze()
