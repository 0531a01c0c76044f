"""`obsgen up` and `obsgen down`: the live local stack."""

from __future__ import annotations

from pathlib import Path

import typer

from generator.cli.options import DEFINITIONS, STATE, fail
from generator.cli.options import time_scale as scale_option
from generator.cli.problems import where


def up(definitions: Path = DEFINITIONS, state_dir: Path = STATE, time_scale: float = scale_option(60.0),
       free_ports: bool = typer.Option(False, "--free-ports", help="Free ports, not 9090, 9093, 9100, ..."),
       alertmanagers: int = typer.Option(1, "--alertmanagers", min=1, max=3,
                                         help="2 or 3 run a cluster on loopback, as production's HA pair.")) -> None:
    """Start the live local stack (Prometheus, Alertmanager, node-exporter, demo app, sinks) and print its URLs."""
    import time

    from generator.core.errors import DefinitionError
    from generator.live.stack import Options, describe
    from generator.live.stack import up as start

    began = time.monotonic()
    try:
        stack = start(Options(definitions, state_dir, time_scale, free_ports=free_ports, alertmanagers=alertmanagers))
    except (DefinitionError, RuntimeError) as error:
        fail(error)
    typer.echo(f"obsgen: live stack up in {time.monotonic() - began:.1f} s, time {time_scale:g}x faster "
               f"(state in {where(str(stack.state_dir))}):")
    typer.echo(describe(stack))
    typer.echo("stop it with `make down` (obsgen down)")


def down(state_dir: Path = STATE) -> None:
    """Stop exactly what `obsgen up` started, after reporting the pipeline's self-scrape availability."""
    from generator.live.stack import down as stop

    measured, stopped = stop(state_dir)
    for availability in measured:
        typer.echo(f"self-scrape availability {availability}")
    for process, outcome in stopped:
        typer.echo(f"{process.name:<15} pid {process.pid:<8} {outcome}")
    if not stopped:
        typer.echo(f"obsgen: nothing recorded in {state_dir} was running")
