"""Credentials in what an import would write: refused before definitions/ is touched, each named at the line of
its source file (and the field it would land in), with the build's own detector and code (SC001).

A credential written into a definitions module is committed with it; the next build refuses it, but by then it
is in the working tree and, once committed, in history. A placeholder instead would make a module that builds
something other than its source without anyone having decided so; so nothing is written, and the user replaces
the credential in the source with a reference (an environment variable, a *_file field, `$__file{...}`)."""

from __future__ import annotations

import json
from bisect import bisect_left
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


INDEXED = 8
"""How many distinct texts to look for in one source file before they are looked for all at once (_Index): fewer
are searched for one by one, each from the file's start, as fast as a search goes for a few."""
LONGEST = 4096
"""The longest text _Index looks for; a longer one (a whole description) is searched for, once per place."""
WINDOW = 4 * LONGEST
"""How much of the file one search of _Index's set reads, beyond the LONGEST - 1 characters it shares with the next."""


def _surrogates(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


class _Index:
    """Where each of many texts may be in a file: the windows of it holding each, found with one pass of an RE2 set of
    them all over each window (16,000 distinct credentials were each searched for from the file's start: 13.7 s).
    Each window starts WINDOW characters after the last and reads LONGEST - 1 more, so a text starting in it is
    whole in it."""

    def __init__(self, text: str, texts: list[str]) -> None:
        import re2  # type: ignore[import-untyped]  # google-re2 ships no types; only a refusal of many loads it

        options = re2.Options()
        options.log_errors, options.never_capture, options.max_mem = False, True, 256 << 20
        found = re2.Set.SearchSet(options)
        texts = [each for each in texts if not _surrogates(each)]  # RE2 reads UTF-8: those are searched for
        for each in texts:
            found.Add(re2.escape(each))
        every = found.Add("(?s:.)")  # matches every window: one said to hold none of them is a failed search
        found.Compile()
        self.text = text
        self.windows: dict[str, list[int]] | None = {each: [] for each in texts}
        for number in range(0, len(text) // WINDOW + 1):
            window = text[number * WINDOW:(number + 1) * WINDOW + LONGEST - 1]
            held = found.Match(window.encode(errors="surrogatepass")) or []
            if window and every not in held:  # RE2 out of memory: every text is searched for instead
                self.windows = None
                return
            for index in held:
                if index != every:
                    self.windows[texts[index]].append(number)

    def find(self, text: str, after: int) -> int | None:
        """Where text is first from after on (-1 when nowhere), as str.find says; None if it was not indexed."""
        if self.windows is None or text not in self.windows:
            return None
        numbers = self.windows[text]
        for place in range(bisect_left(numbers, after // WINDOW), len(numbers)):  # (no copy of the list)
            start = numbers[place] * WINDOW
            at = self.text.find(text, max(after, start), start + WINDOW + len(text) - 1)
            if at >= 0:
                return at
        return -1


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
        self._index: _Index | None = None

    def index(self, credentials: list[tuple[str, str]]) -> None:
        """Look for the texts of these (secret, holding string) pairs all at once (_Index), when there are many."""
        texts = dict.fromkeys(written for secret, holding in credentials for value in self._values(secret, holding)
                              for written in self._written(value) if 0 < len(written) <= LONGEST)
        if len(texts) > INDEXED:
            self._index = _Index(self.text, list(texts))

    def _find(self, written: str, after: int) -> int:
        if (written, after) not in self._found:
            indexed = self._index.find(written, after) if self._index is not None else None
            self._found[written, after] = self.text.find(written, after) if indexed is None else indexed
        return self._found[written, after]

    def _written(self, value: str) -> tuple[str, str]:
        """The value as written, and JSON-escaped."""
        if value not in self._escaped:
            self._escaped[value] = json.dumps(value)[1:-1]
        return value, self._escaped[value]

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
            for written in self._written(value):
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
    held: dict[Path, list[tuple[str, str]]] = {}
    for credential in credentials:
        held.setdefault(credential.path, []).append((credential.secret.value, credential.holding))
    after: dict[tuple[Path, str, str], int] = {}
    lines = []
    for credential in credentials:
        if credential.path not in sources:
            try:
                sources[credential.path] = _Source(read_text(credential.path, Budget(max_bytes, max_bytes)))
            except (OSError, ValueError):
                sources[credential.path] = _Source("")
            sources[credential.path].index(held[credential.path])
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
