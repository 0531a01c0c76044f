"""`obsgen build` run before typer loads: when the command line's options were parsed before (kept by
command_record.py), the build they name is replayed from its record (generator/replay.py) or run, and says what it
said, without importing the command line's parser (70 ms of a replayed build's 0.11 s, 40-60 ms of a full one).
Anything else (options never parsed, an out/ the build refuses, an error before it ran) goes through typer, which
says it as it always does and keeps the options for next time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.cli import command_record


def parsed(definitions: Path, out: Path, quiet: bool, output: str) -> None:  # output: a Format (a str)
    """Keep the options of the build typer has just parsed (one neither watching nor time-compressed)."""
    command_record.parsed_build({"definitions": str(definitions), "out": str(out), "quiet": quiet,
                                 "format": str(output)})


DEFAULTS = {"definitions": "definitions", "out": "out", "format": "text", "quiet": False}
"""The options of `obsgen build` with nothing given (as cli/options.py declares them: should they change, the quick
path only misses until typer parses again)."""
VALUED = {"-d": "definitions", "--definitions": "definitions", "-o": "out", "--out": "out", "--format": "format"}
FLAGS = {"-q": "quiet", "--quiet": "quiet"}


def spelled(arguments: list[str]) -> dict[str, Any] | None:
    """The options a plain `build` command line spells out, defaults filled in; None for any other token (typer
    alone reads those)."""
    found = dict(DEFAULTS)
    tokens = iter(arguments[1:])
    for token in tokens:
        name, equals, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in FLAGS and not equals:
            found[FLAGS[name]] = True
        elif name in VALUED and (given := value if equals else next(tokens, None)) is not None:
            found[VALUED[name]] = str(Path(given)) if VALUED[name] != "format" else given
        else:
            return None
    return found


def built(options: dict[str, Any], arguments: list[str]) -> int | None:
    """Run the build the command line names and say what it said, when typer parsed the same options from it
    before: its exit status; None, with nothing written or said, otherwise. The record only confirms: the paths
    written are the command line's own (a record is a file anyone could rewrite, and must never send a build
    elsewhere)."""
    import gc

    if spelled(arguments) != options:
        return None
    gc.set_threshold(100_000, 50, 100)  # as typer's build command sets it (cli/compile.py); before the imports below

    import generator.core.code_cache  # noqa: F401  (first: the classes and patterns below compile through its cache)
    from generator.cli.build_report import say_built
    from generator.cli.problems import Format, report
    from generator.core.errors import ProblemsFound
    from generator.package.tree import OutRefused
    from generator.replay import build

    try:
        definitions, out = Path(options["definitions"]), Path(options["out"])
        output, quiet = Format(options["format"]), bool(options["quiet"])
        done = build(definitions, out, imported=gc.freeze)  # (as cli/compile.py freezes them)
    except ProblemsFound as error:
        report(error.problems, output, warnings=not quiet)
        return 1
    except (KeyError, TypeError, ValueError, OSError, OutRefused):
        return None  # refused before any work: typer parses them again, and the build says it as it always does
    say_built(done, out, output, quiet)
    return 0
