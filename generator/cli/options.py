"""Options shared by the commands, what every command checks of its options, and how a command fails: one
`error:` line per problem, exit 1; with `--format json`, every error (the command line's too) as the JSON list of
problems on stdout, which is all a bot reads."""

from __future__ import annotations

import math
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperCommand

from generator.cli.problems import Format, report, shown, where

if TYPE_CHECKING:
    from generator.model.project import Project

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


def warn(message: str) -> None:
    """A warning that is no problem of the definitions: a `warning:` line on stderr, its text escaped as a problem's
    is (it may quote what a server or a file said); under `--format github` a workflow annotation, which the runner
    shows on the run. `--format json` keeps it on stderr: stdout, what a bot reads, stays the command's one list."""
    if ASKED.get() is Format.GITHUB:
        from generator.core.errors import Level, Location, Problem

        report([Problem(Location("", 0), "warning", Level.WARNING, message)], Format.GITHUB)
    else:
        typer.echo(f"warning: {shown(where(message))}", err=True)


def warn_unpaired(definitions: Project, scale: float, scrape_interval: str = "") -> None:
    """Warn when this time scale (scrape and evaluation at scrape_interval, or the definitions' own when '') lets
    an SLO's absent page fire after the TargetDown it mutes (live/time_scale.py); what every command taking
    --time-scale says of it."""
    from generator.live.time_scale import pairing_warning

    if message := pairing_warning(definitions, scale, scrape_interval):
        warn(message)


USAGE, COMMAND = "usage", "command"
"""The `code` of an error that is no problem of the definitions, in JSON: the command line is wrong (exit 2), or
the command cannot do what it was asked (exit 1)."""


def _format_asked(words: list[str]) -> Format:
    """The --format a command line asks for, read from its words (a usage error leaves no option parsed); text
    when it names none, or none there is."""
    rest = iter(words)
    asked = [value if equals else next(rest, "") for word in rest
             for name, equals, value in [word.partition("=")] if name == "--format"]
    return next((Format(value) for value in reversed(asked) if value in tuple(Format)), Format.TEXT)


ASKED: ContextVar[Format] = ContextVar("ASKED", default=Format.TEXT)
"""The --format of the command running: text for a command without that option, or outside one."""


class CheckedOptions(TyperCommand):
    """Every obsgen command: beyond what each option's type checks, a number given on the command line must be
    finite. click's float parses nan, inf and 1e400 (inf), and its range (min=1.0) lets them through: nan compares
    false with any bound. Checked here, once for every float option of every command, as a usage error (exit 2).
    A command given `--format json` or `--format github` says its errors, usage errors too, in that format
    (say_error)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        words = list(args)  # click's parser consumes the list it is given
        try:
            rest = super().parse_args(ctx, args)
            for param in self.params:
                value = ctx.params.get(param.name)
                if isinstance(value, float) and not math.isfinite(value):
                    raise typer.BadParameter(f"{value} is not a finite number", ctx=ctx, param=param)
        except typer.TyperException as error:  # click's usage errors (exit 2), printed as text on stderr...
            asked = _format_asked(words)
            if asked is Format.TEXT:
                raise
            say_error(error.format_message(), USAGE, asked)  # ...but a bot reads them in the format it asked for
            raise typer.Exit(error.exit_code) from None
        return rest

    def invoke(self, ctx: Any) -> Any:
        formats = [ctx.params.get(param.name) for param in self.params if "--format" in param.opts]
        # the parsed value is the word given (typer makes it a Format for the command's function only)
        asked = ASKED.set(next((Format(value) for value in formats if value in tuple(Format)), Format.TEXT))
        try:
            return super().invoke(ctx)
        finally:
            ASKED.reset(asked)


def say_error(message: str, code: str = COMMAND, output: Format | None = None) -> None:
    """One error that is no problem of the definitions: an `error:` line on stderr, or in the format asked for."""
    from generator.core.errors import Level, Location, Problem

    output = output or ASKED.get()
    if output is not Format.TEXT:
        report([Problem(Location("", 0), code, Level.ERROR, message)], output)
    else:
        shown_message = shown(where(message), keep="\n\t")  # escaped as a problem's message is
        typer.echo(f"error: {shown_message}", err=True)


def fail(error: Exception) -> NoReturn:
    """Say what went wrong (every problem, when there are several) in the command's format and exit 1."""
    from generator.core.errors import ProblemsFound  # loaded by whatever raised it; `obsgen --help` never does

    if isinstance(error, ProblemsFound):
        report(error.problems, ASKED.get())
    else:
        say_error(str(error))
    raise typer.Exit(1)
