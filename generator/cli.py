"""The obsgen command line (typer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="Observability as code: compile definitions/ into the monitoring stack's configuration.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

DEFINITIONS = typer.Option(Path("definitions"), "--definitions", "-d", help="Definitions package directory.")
CHECKED = typer.Argument(Path("out"), help="Output directory to check.")
OUT = typer.Option(Path("out"), "--out", "-o", help="Output directory (replaced atomically).")


def _time_scale(default: float) -> Any:
    return typer.Option(default, "--time-scale", min=1.0,
                        help="Compress time N-fold: 60 turns every for, cooldown, escalation delay and PromQL range "
                             "of an hour into a minute (a compressed build needs --out other than out/).")


STATE = typer.Option(Path(".live"), "--state-dir", help="Where the live stack keeps its state, data and logs.")


def _where(text: str) -> str:
    """Paths in messages relative to the working directory when they are under it."""
    cwd = os.getcwd() + os.sep
    return text.replace(cwd, "")


def _fail(error: Exception) -> None:
    typer.echo(f"error: {_where(str(error))}", err=True)
    raise typer.Exit(1)


@app.command()
def build(definitions: Path = DEFINITIONS, out: Path = OUT,
          quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print warnings."),
          time_scale: float = _time_scale(1.0)) -> None:
    """Compile definitions/ into out/; on any error out/ is left as it was."""
    from generator.build import build as run_build
    from generator.errors import DefinitionError
    from generator.profile import Profile

    if time_scale != 1.0 and out.resolve() == Path("out").resolve():
        _fail(ValueError("a time-compressed build must not replace out/: give --out DIR"))
    try:
        profile = Profile(time_scale=1 / time_scale) if time_scale != 1.0 else None
        project, report = run_build(definitions, out, profile)
    except DefinitionError as error:
        _fail(error)
        return
    if not quiet:
        for warning in project.warnings:
            typer.echo(_where(str(warning)), err=True)
    typer.echo(f"obsgen: {len(report.written)} written, {len(report.unchanged)} unchanged, "
               f"{len(report.removed)} removed in {out}/")


@app.command()
def check(out: Path = CHECKED) -> None:
    """Run promtool and amtool on out/: configs, rules, rule unit tests and route tests."""
    from generator.check.tools import run_all

    failed = 0
    for result in run_all(out):
        typer.echo(f"{'ok  ' if result.ok else 'FAIL'} {result.name}")
        if not result.ok:
            failed += 1
            typer.echo("     " + result.output.replace("\n", "\n     "))
    typer.echo(f"obsgen check: {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_definitions(definitions: Path = DEFINITIONS) -> None:
    """What is defined, of which kind, and where."""
    from generator.errors import DefinitionError
    from generator.project import load

    try:
        project = load(definitions)
    except DefinitionError as error:
        _fail(error)
        return
    for obj in project.objects:
        name = getattr(obj, "name", "")
        typer.echo(f"{type(obj).__name__:<20} {name:<48} {project.relative(obj.location)}")


@app.command()
def latency(definitions: Path = DEFINITIONS, time_scale: float = _time_scale(1.0),
            scrape_interval: str = typer.Option("", "--scrape-interval", help="Override the scrape interval.")) -> None:
    """Static upper bound per alert: change -> firing (detect) -> notification (notify); see docs/configuration.md."""
    from generator.errors import DefinitionError
    from generator.latency import report
    from generator.profile import Profile, apply
    from generator.project import load

    try:
        project = load(definitions)
        if time_scale != 1.0 or scrape_interval:
            project = apply(project, Profile(time_scale=1 / time_scale, scrape_interval=scrape_interval))
    except (DefinitionError, ValueError) as error:
        _fail(error)
        return
    lines, missed = report(project)
    typer.echo("\n".join(lines))
    if missed:
        raise typer.Exit(1)


@app.command()
def up(definitions: Path = DEFINITIONS, state_dir: Path = STATE, time_scale: float = _time_scale(60.0),
       free_ports: bool = typer.Option(False, "--free-ports", help="Free ports, not 9090, 9093, 9100, ...")) -> None:
    """Start the live local stack (Prometheus, Alertmanager, node-exporter, demo app, sinks) and print its URLs."""
    import time

    from generator.errors import DefinitionError
    from generator.live.stack import Options, describe
    from generator.live.stack import up as start

    began = time.monotonic()
    try:
        stack = start(Options(definitions, state_dir, time_scale, free_ports=free_ports))
    except (DefinitionError, RuntimeError) as error:
        _fail(error)
        return
    typer.echo(f"obsgen: live stack up in {time.monotonic() - began:.1f} s, time {time_scale:g}x faster "
               f"(state in {_where(str(stack.state_dir))}):")
    typer.echo(describe(stack))
    typer.echo("stop it with `make down` (obsgen down)")


@app.command()
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


def main() -> None:
    """Entry point for python -m generator."""
    app(prog_name="obsgen")


if __name__ == "__main__":
    main()
