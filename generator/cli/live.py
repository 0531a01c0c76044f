"""`obsgen up` and `obsgen down`: the live local stack; and commands run inside one finding its servers."""

import contextlib
import functools
import inspect
import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from generator.live.running import LiveStack

from generator.cli.options import DEFINITIONS, STATE, fail, warn
from generator.cli.options import time_scale as scale_option
from generator.cli.problems import where


def up(definitions: Path = DEFINITIONS, state_dir: Path = STATE,
       time_scale: float = scale_option(60.0, "the stack runs a build compressed so"),
       free_ports: bool = typer.Option(False, "--free-ports", help="Free ports, not 9090, 9093, 9100, ..."),
       real_host: bool = typer.Option(False, "--real-host", help="Let this machine's own alerts climb escalation "
                                                                 "too (they fire and notify either way)."),
       alertmanagers: int = typer.Option(0, "--alertmanagers", min=0, max=3, show_default=False,
                                         help="How many Alertmanagers (default: the definitions' HA pair); several "
                                              "run a cluster on loopback.")) -> None:
    """Start the live local stack (Prometheus, Alertmanager, node-exporter, demo app, sinks) and print its URLs."""
    import time

    from generator.core.errors import DefinitionError
    from generator.live.describe import describe
    from generator.live.stack import Options
    from generator.live.stack import up as start

    began = time.monotonic()
    try:
        stack = start(Options(definitions, state_dir, time_scale, free_ports=free_ports, real_host=real_host,
                              alertmanagers=alertmanagers),
                      warn=warn)
    except (DefinitionError, RuntimeError) as error:
        fail(error)
    except KeyboardInterrupt as error:  # Ctrl-C, or SIGHUP/SIGTERM (stack.up raises the same for them)
        with contextlib.suppress(OSError):  # the terminal may be gone (a hangup)
            typer.echo(f"obsgen up: {error or 'interrupted'}; everything it had started is stopped", err=True)
        raise typer.Exit(130) from None
    typer.echo(f"obsgen: live stack up in {time.monotonic() - began:.1f} s, time {time_scale:g}x faster "
               f"(state in {where(str(stack.state_dir))}):")
    typer.echo(describe(stack))
    typer.echo(f"stop it with {stop_command(state_dir)}")


MAKE_DOWN = re.compile(rb"^down\s*:", re.MULTILINE)
"""A Makefile's `down` target: obsgen's own checkout has one; a team's `obsgen init` project has no Makefile."""


def _make_down(makefile: Path) -> bool:
    """Whether makefile (the current directory's) is a regular file of under 1 MiB with a `down` target."""
    from generator.core.bounded_read import read_bounded

    try:
        return MAKE_DOWN.search(read_bounded(makefile, 1 << 20)) is not None
    except (OSError, ValueError):  # none, a FIFO, too large: no make to offer
        return False


def stop_command(state_dir: Path, makefile: Path = Path("Makefile")) -> str:
    """The command that stops a stack started with this state directory: `obsgen down`, and `make down` beside it
    where a Makefile with that target is (the obsgen checkout's)."""
    from generator.live.running import DEFAULT_STATE_DIR

    default = state_dir.resolve() == DEFAULT_STATE_DIR.resolve()
    quoted = shlex.quote(str(state_dir))
    command = "`obsgen down`" if default else f"`obsgen down --state-dir {quoted}`"
    if not _make_down(makefile):
        return command
    return f"{command} (or make down)" if default else f"{command} (or make down STATE_DIR={quoted})"


def running_stack() -> "LiveStack | None":
    """The live stack recorded in $OBSGEN_STATE_DIR (default .live/), if its Prometheus still runs."""
    from generator.live.running import DEFAULT_STATE_DIR, LiveStack
    from generator.live.supervisor import Supervisor

    state_dir = Path(os.environ.get("OBSGEN_STATE_DIR") or DEFAULT_STATE_DIR)
    if not any(process.name == "prometheus" for process in Supervisor.load(state_dir.resolve()).running()):
        return None
    return LiveStack.load(state_dir.resolve())


Command = Callable[..., None]


def inside_live_stack(command: Command, **fills: Callable[["LiveStack"], Any]) -> Command:
    """The command, its parameters named in `fills` taken from the running live stack when none of them is given
    (on the command line or in the environment): `obsgen status` inside `obsgen up` checks its servers."""
    @functools.wraps(command)
    def run(live_context: typer.Context, **arguments: Any) -> None:
        sources = [live_context.get_parameter_source(name) for name in fills]
        given = any(source is not None and source.name != "DEFAULT" for source in sources)
        try:
            stack = None if given else running_stack()
        except RuntimeError as error:  # a state file that cannot be read: say which, rather than guess
            fail(error)
        if stack is not None:
            arguments |= {name: fill(stack) for name, fill in fills.items()}
        command(**arguments)

    parameters = inspect.signature(command, eval_str=True).parameters.values()
    context = inspect.Parameter("live_context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    run.__signature__ = inspect.Signature([context, *parameters])  # type: ignore[attr-defined]  # what typer reads
    return run


def down(state_dir: Path = STATE) -> None:
    """Stop exactly what `obsgen up` started, after reporting the pipeline's self-scrape availability."""
    from generator.live.running import down as stop

    try:
        measured, stopped = stop(state_dir)
    except RuntimeError as error:  # a state file that cannot be read
        fail(error)
    for availability in measured:
        typer.echo(f"self-scrape availability {availability}")
    for process, outcome in stopped:
        typer.echo(f"{process.name:<15} pid {process.pid:<8} {outcome}")
    if not stopped:
        typer.echo(f"obsgen: nothing recorded in {state_dir} was running")
