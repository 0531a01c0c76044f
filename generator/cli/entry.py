"""The obsgen program: a help printed before is printed from its record (command_record.py), and a build whose
options were parsed before runs (replayed when nothing it read changed: quick_build.py) before anything else is
imported; any other command line goes to the typer app (app.py). The program then leaves without the
interpreter's teardown of what the command built (program())."""

from __future__ import annotations

import atexit
import gc
import os
import sys

from generator.cli import command_record

TYPE_CHECKING = False  # not typing's: importing typing is 2-3 ms of a replayed help's 25-30 (as command_record.py)
if TYPE_CHECKING:
    from typing import NoReturn


def program() -> NoReturn:
    """The obsgen program (its console script, and python -m generator): main(), then its exit."""
    try:
        main()
    except SystemExit as done:
        leave(done)
    leave(SystemExit(0))


def leave(done: SystemExit) -> NoReturn:
    """End the process as `done` would, without the interpreter's teardown: every object the command built freed
    one by one, and every module's dictionary cleared (15-25 ms of CPU after a build of kube-prometheus), which
    nothing obsgen writes depends on. What such an exit does that can matter is done first: the exit handlers
    run (logging's included) and the output is flushed; the status is done's. As mypy leaves (mypy/util.py,
    hard_exit). An exit that waits for another thread, prints its code (a text), or fails to flush the output
    (the reader went away) is left to the interpreter, which does all that as it always does."""
    status = 0 if done.code is None else done.code
    threading = sys.modules.get("threading")
    if not isinstance(status, int) or (threading is not None and threading.active_count() > 1):
        raise done
    atexit._run_exitfuncs()  # (then forgotten: the interpreter's exit would not run them again)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise done from None
    os._exit(status)


def main() -> None:
    """The obsgen program's work, ended by SystemExit or a return (program() leaves after it; tests call it)."""
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
