"""Problems and errors that point at the definition that caused them: where, what, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Location:
    """A place in a definitions file."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file  # line 0: the file as a whole


UNKNOWN = Location("<unknown>", 0)


class Level(StrEnum):
    """How much a problem matters: an error stops the build, a warning is said and the build goes on."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or mapped) in the definitions, with the code of what found it."""

    location: Location
    code: str
    level: Level
    message: str
    related: tuple[Location, ...] = field(default=(), compare=False)
    """Other places the problem involves (the first definition of a duplicate, say)."""

    def __str__(self) -> str:
        return f"{self.level}: {self.location}: {self.message} [{self.code}]"

    @property
    def order(self) -> tuple[str, int, bool, str]:
        """How problems are listed: by file and line, errors before warnings at one place."""
        return self.location.file, self.location.line, self.level is not Level.ERROR, self.code


@dataclass(frozen=True)
class Code:
    """A kind of problem reported by the loader, the runner or the build rather than by a check module."""

    code: str
    name: str
    level: Level
    doc: str


BUILD_ERROR = Code("BD001", "unbuildable", Level.ERROR, """A target cannot render a definition.

Some limits only show when the files are written: a Kubernetes object name over 253 characters or not a DNS
name, a dashboard whose JSON exceeds the 1 MiB a ConfigMap holds, two dashboards packaged under one ConfigMap
name, a template that does not render. The problem is located at the definition the file comes from.

Fix: the message says what to change (a shorter name, a split dashboard).""")


class DefinitionError(Exception):
    """A definition is wrong; the message names where, what, and how to fix it."""

    def __init__(self, location: Location, message: str, code: str = BUILD_ERROR.code) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
        self.code = code

    def problem(self) -> Problem:
        """This error as a problem of the build."""
        return Problem(self.location, self.code, Level.ERROR, self.message)


class ProblemsFound(DefinitionError):
    """The definitions have errors; every problem found is listed (warnings too), not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [problem for problem in problems if problem.level is Level.ERROR] or problems
        first = errors[0] if errors else Problem(UNKNOWN, BUILD_ERROR.code, Level.ERROR, "no problem given")
        super().__init__(first.location, first.message, first.code)
        self.args = ("\n".join(str(problem) for problem in problems),)
        self.problems = problems

    def __str__(self) -> str:
        return str(self.args[0])
