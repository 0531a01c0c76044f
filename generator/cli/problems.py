"""Problems printed for people (one line each), for GitHub workflow annotations, or as JSON for bots; without typer,
which a replayed build never imports."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from generator.core.terminal import said as said  # the commands' escaping, kept in core for apply and exporter
from generator.core.terminal import shown as shown

if TYPE_CHECKING:  # loaded by the commands that report problems: `obsgen --help` does not need them
    from generator.core.errors import Location, Problem


class Format(StrEnum):
    """How problems are printed."""

    TEXT = "text"
    GITHUB = "github"
    JSON = "json"


ANSI_STYLE = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")
ASCII_NAMES = frozenset({"ascii", "us-ascii", "ansi_x3.4-1968", "646"})


def echo(text: str, err: bool = False) -> None:
    """A line to stdout or stderr as typer.echo (click) writes one: styles stripped unless it is a terminal, UTF-8
    where the stream's encoding is plain ASCII (a misconfigured locale). Here because a replayed build prints
    with it and does not import typer."""
    stream = sys.stderr if err else sys.stdout
    line = text + "\n" if stream.isatty() else ANSI_STYLE.sub("", text) + "\n"
    if str(getattr(stream, "encoding", "")).lower() in ASCII_NAMES and hasattr(stream, "buffer"):
        stream.flush()
        stream.buffer.write(line.encode())
    else:
        stream.write(line)
    stream.flush()


def relative(path: str) -> str:
    """A path relative to the working directory when it is under it."""
    cwd = os.getcwd() + os.sep
    return path.removeprefix(cwd)


def where(text: str) -> str:
    """Paths in a message relative to the working directory when they are under it."""
    return text.replace(os.getcwd() + os.sep, "")


def _place(location: Location) -> Location:
    return type(location)(relative(location.file), location.line)


def _escaped(text: str, *, property_value: bool = False) -> str:
    """Text in a workflow command, escaped as GitHub's runner reads it back (actions/toolkit's command.ts): a
    property's value also escapes the ':' and ',' that end it."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _github(problem: Problem) -> str:
    """A workflow annotation; one that is no definition's problem (a usage error) names no file."""
    place = _place(problem.location)
    level = "error" if problem.level == "error" else "warning"
    where_found = (f"file={_escaped(place.file, property_value=True)},line={max(place.line, 1)},"
                   if place.file else "")
    return f"::{level} {where_found}title={_escaped(problem.code, property_value=True)}::" \
           f"{_escaped(where(problem.message))}"


def report(problems: Sequence[Problem], output: Format, *, warnings: bool = True) -> None:
    """Print problems sorted by file and line: errors always, warnings unless asked not to."""
    listed = [p for p in sorted(problems, key=lambda p: p.order) if warnings or p.level == "error"]
    if output is Format.JSON:
        echo(json.dumps([{"file": _place(p.location).file, "line": p.location.line, "code": p.code,
                                "level": str(p.level), "message": where(p.message)} for p in listed], indent=1))
        return
    for problem in listed:
        message = shown(problem.message, keep="\n\t")  # a message may span lines; it may quote imported names
        line = _github(problem) if output is Format.GITHUB else where(
            f"{problem.level}: {_place(problem.location)}: {message} [{problem.code}]")
        echo(line, err=output is Format.TEXT)
