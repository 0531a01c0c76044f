"""Options shared by the commands, what every command checks of its options, and how a command fails: one
`error:` line per problem, exit 1."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer.core import TyperCommand

from generator.cli.problems import Format, report, where

FORMAT = typer.Option(Format.TEXT, "--format", help="text; github (workflow annotations); json (for bots).")
DEFINITIONS = typer.Option(Path("definitions"), "--definitions", "-d", help="Definitions package directory.")
OUT = typer.Option(Path("out"), "--out", "-o", help="Output directory (replaced atomically).")
STATE = typer.Option(Path(".live"), "--state-dir", envvar="OBSGEN_STATE_DIR",
                     help="Where the live stack keeps its state, data and logs.")


def duration(value: str) -> str:
    """A Prometheus duration given on the command line ('' when none is); a usage error (exit 2) otherwise."""
    from generator.core.duration import parse_seconds

    if value:
        try:
            parse_seconds(value)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
    return value


def time_scale(default: float, what: str) -> Any:
    """The --time-scale option with a default; what says what the command does with a compressed build."""
    return typer.Option(default, "--time-scale", min=1.0,
                        help="Compress time N-fold: 60 turns every for, cooldown, escalation delay and PromQL range "
                             f"of an hour into a minute ({what}).")


class CheckedOptions(TyperCommand):
    """Every obsgen command: beyond what each option's type checks, a number given on the command line must be
    finite. click's float parses nan, inf and 1e400 (inf), and its range (min=1.0) lets them through: nan compares
    false with any bound. Checked here, once for every float option of every command, as a usage error (exit 2)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        for param in self.params:
            value = ctx.params.get(param.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise typer.BadParameter(f"{value} is not a finite number", ctx=ctx, param=param)
        return rest


def fail(error: Exception, output: Format = Format.TEXT) -> NoReturn:
    """Say what went wrong (every problem, when there are several) and exit 1."""
    from generator.core.errors import ProblemsFound  # loaded by whatever raised it; `obsgen --help` never does

    if isinstance(error, ProblemsFound):
        report(error.problems, output)
    else:
        typer.echo(f"error: {where(str(error))}", err=True)
    raise typer.Exit(1)
