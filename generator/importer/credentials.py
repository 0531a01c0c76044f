"""Credentials in what an import would write: refused before definitions/ is touched, each named at the line of
its source file (and the field it would land in), with the build's own detector and code (SC001).

A credential written into a definitions module is committed with it; the next build refuses it, but by then it
is in the working tree and, once committed, in history. A placeholder instead would make a module that builds
something other than its source without anyone having decided so; so nothing is written, and the user replaces
the credential in the source with a reference (an environment variable, a *_file field, `$__file{...}`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.checks import secrets
from generator.core.errors import Level, Location, Problem, ProblemsFound
from generator.core.lined import Joined
from generator.core.secret_scan import Secret
from generator.importer.reading import Budget, read_text
from generator.model import Definition


@dataclass(frozen=True)
class Credential:
    """A credential one imported object holds: the source file, the module it would be written to, the field
    holding it, and that field's string."""

    path: Path
    module: Path
    secret: Secret
    field: secrets.Path
    holding: str


def _at(source: str, secret: str, holding: str, after: int) -> int:
    """Where in the source text, from after on, the string the secret is in is written (as written, or
    JSON-escaped), else its line holding the secret (a YAML block's), else the secret itself; -1 when none is."""
    lines = [line.strip() for line in holding.splitlines() if secret in line]
    for value in (holding, *lines[:1], secret):
        for written in (value, json.dumps(value)[1:-1]):
            at = source.find(written, after)
            if at >= 0:
                return at
    return -1


def found(path: Path, module: Path, objects: Iterable[Definition]) -> list[Credential]:
    """Each credential the imported objects hold."""
    return [Credential(path, module, secret, field, holding) for obj in objects
            for secret, field, holding in secrets.in_document(obj.model_dump(mode="json", by_alias=True))]


def _lines(credentials: list[Credential], max_bytes: int) -> list[int]:
    """The line of each credential in its source file (read once, only when it holds one): successive credentials
    with the same text take its successive places (the same link in two dashboards of one ConfigMap is at two
    lines), the first again once they run out; 0 when it is not found."""
    sources: dict[Path, str] = {}
    lines_of: dict[Path, Joined] = {}
    after: dict[tuple[Path, str, str], int] = {}
    lines = []
    for credential in credentials:
        if credential.path not in sources:
            try:
                sources[credential.path] = read_text(credential.path, Budget(max_bytes, max_bytes))
            except (OSError, ValueError):
                sources[credential.path] = ""
            lines_of[credential.path] = Joined(sources[credential.path].split("\n"))
        source, key = sources[credential.path], (credential.path, credential.secret.value, credential.holding)
        at = _at(source, credential.secret.value, credential.holding, after.get(key, 0))
        at = at if at >= 0 else _at(source, credential.secret.value, credential.holding, 0)
        after[key] = at + 1
        lines.append(lines_of[credential.path].at(at) + 1 if at >= 0 else 0)
    return lines


def refuse(credentials: list[Credential], max_bytes: int) -> None:
    """ProblemsFound listing every credential by file and line (SC001), when there is one: one error per place,
    naming every field and module the credential there would be written to."""
    places: dict[tuple[str, int, str], list[Credential]] = {}
    for credential, line in zip(credentials, _lines(credentials, max_bytes), strict=True):
        places.setdefault((str(credential.path), line, credential.secret.value), []).append(credential)
    problems = []
    for (path, line, _), held in places.items():
        fields = " and ".join(dict.fromkeys(secrets.described(credential.secret, credential.field)
                                            for credential in held))
        modules = " and ".join(dict.fromkeys(f"definitions/{credential.module.name}" for credential in held))
        message = (f"{fields} would be written to {modules} (and committed): nothing imported; replace it in the "
                   "source with a reference (an environment variable, a *_file field, Grafana's $__file{...}) and "
                   "import again")
        problems.append(Problem(Location(path, line), secrets.CODE, Level.ERROR, message))
    if problems:
        raise ProblemsFound(sorted(problems, key=lambda problem: problem.order))
