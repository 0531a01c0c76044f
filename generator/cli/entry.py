"""The obsgen program: a help printed before is printed from its record (help_record.py) before anything else is
imported; any other command line goes to the typer app (app.py)."""

from __future__ import annotations

import gc
import sys

from generator.cli import help_record


def main() -> None:
    """The obsgen program (its console script, and python -m generator)."""
    help_text = help_record.HelpRecord(sys.argv[1:])
    if help_text.replay():
        return
    from generator.cli.app import app  # typer and the commands' options: most of a light command's time

    try:
        with help_text.recording():
            app(prog_name="obsgen")
    finally:
        # What the command built lives until the process exits; frozen, it is not walked again by the collections
        # of the interpreter's shutdown (0.12-0.17 s of CPU after a build of kube-prometheus, a fifth of the process).
        gc.freeze()
