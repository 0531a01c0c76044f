"""Credentials in what an import would write: refused before definitions/ is touched, each named at the line of
its source file (and the field it would land in), with the build's own detector and code (SC001).

A credential written into a definitions module is committed with it; the next build refuses it, but by then it
is in the working tree and, once committed, in history. A placeholder instead would make a module that builds
something other than its source without anyone having decided so; so nothing is written, and the user replaces
the credential in the source with a reference (an environment variable, a *_file field, `$__file{...}`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from generator.checks import secrets
from generator.core.errors import Level, Location, Problem, ProblemsFound
from generator.importer.reading import Budget, read_text
from generator.model import Definition


def _line(source: str, secret: str, holding: str) -> int:
    """The first line of the source text holding the string the secret is in (as written, or JSON-escaped), else
    its line holding the secret (a YAML block's), else the secret itself; 0 when none is found."""
    lines = [line.strip() for line in holding.splitlines() if secret in line]
    for value in (holding, *lines[:1], secret):
        for written in (value, json.dumps(value)[1:-1]):
            at = source.find(written)
            if at >= 0:
                return source.count("\n", 0, at) + 1
    return 0


def found(path: Path, module: Path, objects: Iterable[Definition], max_bytes: int) -> list[Problem]:
    """An SC001 error at path:line for each credential the imported objects hold."""
    problems = []
    source: str | None = None
    for obj in objects:
        for secret, field, holding in secrets.in_document(obj.model_dump(mode="json", by_alias=True)):
            if source is None:  # read again only when there is a credential, once
                try:
                    source = read_text(path, Budget(max_bytes, max_bytes))
                except (OSError, ValueError):
                    source = ""
            message = (f"{secrets.described(secret, field)} would be written to definitions/{module.name} "
                       "(and committed): nothing imported; replace it in the source with a reference (an "
                       "environment variable, a *_file field, Grafana's $__file{...}) and import again")
            problems.append(Problem(Location(str(path), _line(source, secret.value, holding)), secrets.CODE,
                                    Level.ERROR, message))
    return problems


def refuse(problems: list[Problem]) -> None:
    """ProblemsFound listing every credential, by file and line, when there is one."""
    if problems:
        raise ProblemsFound(sorted(problems, key=lambda problem: problem.order))
