"""Credentials in what an import would write: refused before definitions/ is touched, each named at the line of
its source file (and the field it would land in), with the build's own detector and code (SC001).

A credential written into a definitions module is committed with it; the next build refuses it, but by then it
is in the working tree and, once committed, in history. A placeholder instead would make a module that builds
something other than its source without anyone having decided so; so nothing is written, and the user replaces
the credential in the source with a reference (an environment variable, a *_file field, `$__file{...}`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.checks import secrets
from generator.core.errors import Level, Location, Problem, ProblemsFound
from generator.core.joined import Joined
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


class _Source:
    """One source file's text, with what placing many credentials in it would read again each time (in linear time
    where once it was quadratic in them): where its lines start, where each written form is from an offset, each
    holding string's JSON escape and lines (8,000 links in one description: each read whole for each link)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = Joined(text.split("\n"))
        self._found: dict[tuple[str, int], int] = {}
        self._escaped: dict[str, str] = {}
        self._holding_lines: dict[str, Joined] = {}

    def _find(self, written: str, after: int) -> int:
        if (written, after) not in self._found:
            self._found[written, after] = self.text.find(written, after)
        return self._found[written, after]

    def _values(self, secret: str, holding: str) -> Iterator[str]:
        """The string the secret is in, else its first line holding the secret (a YAML block's), else the secret."""
        yield holding
        if holding not in self._holding_lines:
            self._holding_lines[holding] = Joined(holding.splitlines())
        lines = self._holding_lines[holding]
        first = next(lines.holding(secret), None)
        if first is not None:
            yield lines.strings[first].strip()
        yield secret

    def at(self, secret: str, holding: str, after: int) -> int:
        """Where in the text, from after on, the first of _values is written (as written, or JSON-escaped); -1
        when none is."""
        for value in self._values(secret, holding):
            if value not in self._escaped:
                self._escaped[value] = json.dumps(value)[1:-1]
            for written in (value, self._escaped[value]):
                at = self._find(written, after)
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
    sources: dict[Path, _Source] = {}
    after: dict[tuple[Path, str, str], int] = {}
    lines = []
    for credential in credentials:
        if credential.path not in sources:
            try:
                sources[credential.path] = _Source(read_text(credential.path, Budget(max_bytes, max_bytes)))
            except (OSError, ValueError):
                sources[credential.path] = _Source("")
        source, key = sources[credential.path], (credential.path, credential.secret.value, credential.holding)
        at = source.at(credential.secret.value, credential.holding, after.get(key, 0))
        at = at if at >= 0 else source.at(credential.secret.value, credential.holding, 0)
        after[key] = at + 1
        lines.append(source.lines.at(at) + 1 if at >= 0 else 0)
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
