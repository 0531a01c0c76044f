"""`obsgen build` replayed before typer loads: when the command line's options were parsed before (kept by
command_record.py) and the build they name replays from its record (generator/replay.py), the program writes out/
and says what the build said without importing the command line's parser (70 ms of a replayed build's 0.11 s).
Anything else (a build to run, options never parsed) goes through typer, which keeps the options for next time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.cli import command_record


def parsed(definitions: Path, out: Path, quiet: bool, output: str) -> None:  # output: a Format (a str)
    """Keep the options of the build typer has just parsed (one neither watching nor time-compressed)."""
    command_record.parsed_build({"definitions": str(definitions), "out": str(out), "quiet": quiet,
                                 "format": str(output)})


def replayed(options: dict[str, Any]) -> bool:
    """Replay the build these options name and say what it said; False, with nothing written or said, when it
    does not replay."""
    from generator.cli.build_report import say_built
    from generator.cli.problems import Format
    from generator.replay import replay_build

    try:
        definitions, out = Path(options["definitions"]), Path(options["out"])
        output, quiet = Format(options["format"]), bool(options["quiet"])
        built = replay_build(definitions, out)
    except (KeyError, TypeError, ValueError, OSError):
        return False  # typer parses them again, and the build reports what went wrong as it always does
    if built is None:
        return False
    say_built(built, out, output, quiet)
    return True
