"""No file written to out/ carries a secret, whatever field it was typed into.

Every string of every rendered document, keys and values, and the dashboards packaged as JSON inside ConfigMaps,
is scanned with Yelp detect-secrets' provider formats (Slack, GitHub, AWS, Stripe, JWTs, private keys...) and
obsgen's rules for credentials in URLs (user part, token parameters, pre-signed S3/GCS signatures,
random-looking path segments), Authorization and API-key headers (X-API-Key, PRIVATE-TOKEN...), PagerDuty keys,
Grafana tokens, keyword=value passwords (DSNs) and keys that only hold secrets (secureJsonData, *password).
A secret in out/ is in git and on every server GitOps ships to. It is reported at the definition and field it
was typed into; one no field holds whole (assembled from several) at the Stack.

Fix: reference the secret instead (`*_file` fields, environment variables, Grafana's `$__file{...}`); for a
value that only looks like one, `# obsgen: disable=SC001 <why it is not a secret>` on the definition.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.checks.base import Context, Finding
from generator.core import secret_scan
from generator.core.disk_cache import source_digest
from generator.core.errors import Level, Location
from generator.core.joined import Joined
from generator.core.secret_scan import Secret, distinct, find, under_key
from generator.model import Definition, conventions
from generator.model.project import Project

CODE = "SC001"
NAME = "secret-in-output"
LEVEL = Level.ERROR
IDENTIFIER_KEYS = ("uid", "id")
"""Keys whose values are identifiers (and keys ending in Uid or _uid, as a definition's grafana_uid): Grafana uids are
32 hex digits, like PagerDuty keys, so that rule is off."""

SECURE = "secureJsonData"
"""Grafana's map of secrets: everything under it is one."""

Path = tuple[str | int, ...]

LITERAL_OUTPUTS = (conventions.ALERTMANAGER_CONFIG, "kubernetes/alertmanager/")
"""Alertmanager's configuration, as a file and inside the Kubernetes Secret: Alertmanager expands no environment
variable (it reads secrets from *_file fields), so a `$VAR` there is sent as it is and counts as the secret."""


def _expands(output: str) -> bool:
    """Whether the server reading this output expands environment references (`$VAR`, `${VAR}`) in it."""
    return not output.startswith(LITERAL_OUTPUTS)


@dataclass(frozen=True)
class Leak:
    """A secret in the output: the definition and field it came from (None when no field holds it), and where."""

    secret: Secret
    definition: Definition | None
    field: Path
    output: str


def _embedded(value: str) -> Any:
    """The JSON object a string holds (Grafana keeps some as text), or None: not JSON, or nested deeper than the
    parser's recursion allows (a dashboard imported from anywhere can hold one), then scanned as the text it is."""
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def _strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string in a document with its path, keys included; JSON held in a string is walked as a document."""
    for text, at, _ in _walked(value, path):
        yield at, text


class _Strings:
    """A document's strings as _strings gives them, walked once, for the strings holding each of many secrets (a walk
    and a test of every string for each secret is quadratic in them: 300 credentials in one imported rule group took
    3 s, 8,000 over ten minutes), each string scanned once."""

    def __init__(self, document: Any) -> None:
        self.paths, texts = [], []
        for path, text in _strings(document):
            self.paths.append(path)
            texts.append(text)
        self.joined = Joined(texts)
        self.scanned: dict[str, set[str]] = {}

    def holding(self, value: str) -> Iterator[tuple[Path, str]]:
        """Each string holding value, with its path, in order."""
        return ((self.paths[index], self.joined.strings[index]) for index in self.joined.holding(value))

    def found(self, text: str) -> set[str]:
        """The values of the secrets the scan finds in one of the strings."""
        if text not in self.scanned:
            self.scanned[text] = {secret.value for secret in find(text)}
        return self.scanned[text]


def _holding(strings: _Strings, secret: Secret) -> tuple[Path, str, bool] | None:
    """The first string of a document the scan finds the secret in on its own, else the first holding its text (a
    password such as `grafana` is also a datasource's type and a host's name): its path, the string, and whether
    the secret was found there; None when no string holds it."""
    first = None
    for path, text in strings.holding(secret.value):
        if secret.value in strings.found(text):
            return path, text, True
        first = first or (path, text)
    return (*first, False) if first else None


def _source(project: Project, secret: Secret) -> tuple[Definition | None, Path]:
    """The definition, and the path of its field, holding the secret (the innermost definition when nested)."""
    first: tuple[Definition | None, Path] = (None, ())
    for definition in sorted(project.objects, key=lambda obj: obj.location):
        held = _holding(_Strings(definition.model_dump(mode="json", by_alias=True)), secret)
        if held is not None and held[2]:
            return definition, held[0]
        if held is not None and first[0] is None:
            first = definition, held[0]
    return first


def _keyed_strings(document: Any) -> Iterator[tuple[str, str | int | None, bool]]:
    """_strings(document) as leaks() reads it, in the same order, without building each path: every string with
    the last part of its path (None for a document that is one string) and whether secureJsonData is in it."""
    return _walked(document, None)


def _walked(document: Any, root: Any) -> Iterator[tuple[str, Any, bool]]:
    """Every string in a document, keys included (JSON held in a string walked as a document; it nests as deep as
    it likes, so no recursion), with where it is and whether secureJsonData is in its path. Where is its whole
    path from root when root is a path (a tuple), else the last part of it (root for the document itself): the
    build's scan (_walk, every string of out/) builds no path."""
    whole = isinstance(root, tuple)
    stack: list[tuple[Any, Any, bool, bool]] = [(document, root, False, False)]  # ..., is a key
    while stack:
        value, at, secure, is_key = stack.pop()
        kind = type(value)
        if kind is str:
            embedded = _embedded(value) if not is_key and value.startswith("{") else None
            if embedded is not None:
                stack.append((embedded, at, secure, False))
                continue
            yield value, at, secure
        elif kind is dict or isinstance(value, Mapping):
            for name, item in reversed([(str(name), item) for name, item in value.items()]):
                inner, place = secure or name == SECURE, (*at, name) if whole else name
                stack.append((item, place, inner, False))
                stack.append((name, place, inner, True))
        elif kind is list or kind is tuple or isinstance(value, list | tuple):
            stack.extend((item, (*at, index) if whole else index, secure, False)
                         for index, item in reversed(list(enumerate(value))))
        elif isinstance(value, str):  # a str subclass
            stack.append((str(value), at, secure, is_key))


@dataclass(frozen=True)
class _Walked:
    """What leaks() reads of one document: its strings in order (each once), its identifiers, and the values
    of keys that only hold secrets."""

    strings: tuple[str, ...]
    identifiers: frozenset[str]
    keyed: tuple[Secret, ...]


def _walk(document: Any, expands: bool = True) -> _Walked:
    strings: dict[str, None] = {}
    identifiers: set[str] = set()
    keyed: list[Secret] = []
    for text, last, secure in _keyed_strings(document):
        strings.setdefault(text)
        if last is not None and (last in IDENTIFIER_KEYS or str(last).endswith(("Uid", "_uid"))):
            identifiers.add(text)
        if last is not None and text != last:  # a value: is its key one that only holds secrets?
            found = under_key(SECURE if secure else str(last), text, expands)
            if found:
                keyed.append(found)
    return _Walked(tuple(strings), frozenset(identifiers), tuple(keyed))


def leaks(context: Context) -> list[Leak]:
    """Every secret in the context's rendered documents, each once, with where it came from.

    A build after an edit scans only the documents that changed: each document found clean on its own (its
    strings with the PagerDuty rule on, its identifiers with it off) is remembered by its digest. On its own is
    the stricter test (across documents, a string that is an identifier anywhere is scanned with that rule off),
    so a document clean alone is clean in any build. Only when a changed document is suspect are all of them
    scanned together, each string once however many documents hold it, for the verdict and the messages."""
    project, rendered, digests = context.project, context.rendered, context.digests
    version = source_digest(__file__)
    with secret_scan.clean_cached(project.root) as clean:  # the build's, or one of its own
        known = {output: f"document:{version}:{int(_expands(output))}:{digest}"
                 for output, digest in digests.items() if digest}
        whole = None if len(known) < len(digests) else "build:" + hashlib.sha256(
            "".join([version, *(f"\0{output}\0{digest}" for output, digest in digests.items())]).encode()).hexdigest()
        if whole is not None and clean.get(whole):  # the very documents of a build found clean by this code
            for key in known.values():  # kept for the next build, which may change one of them
                clean.get(key)
            return []
        changed = [output for output in rendered if not (output in known and clean.get(known[output]))]
        if not _suspect([(rendered[output], _expands(output)) for output in changed]):
            for output in changed:
                if output in known:
                    clean.put(known[output], True)
            if whole is not None:
                clean.put(whole, True)
            return []
        found, first_seen = _found(rendered)
        if whole is not None and not found:
            clean.put(whole, True)
    result = []
    for secret in dict.fromkeys(found):
        output = next((first_seen[text] for text in first_seen if secret.value in text), "")
        definition, field = _source(project, secret)
        result.append(Leak(secret, definition, field, output))
    return result


def _suspect(documents: list[tuple[Any, bool]]) -> bool:
    """Whether any of the documents, each scanned on its own, may hold a secret. Their strings are scanned once
    (a rule group and the PrometheusRule packaging it share nearly all): a document's values with the PagerDuty
    rule on, its identifiers with it off unless a value of another document, which is the stricter test; those
    of a document whose server expands no environment variable (the bool beside it) as literal, also stricter."""
    values: dict[str, None] = {}
    identifiers: set[str] = set()
    literal: set[str] = set()
    for document, expands in documents:
        walked = _walk(document, expands)
        if walked.keyed:
            return True
        values.update(dict.fromkeys(text for text in walked.strings if text not in walked.identifiers))
        identifiers |= walked.identifiers
        if not expands:
            literal.update(walked.strings)
    only_identifying = identifiers - values.keys()
    return any(find(text, hex_keys, expands) for text, hex_keys, expands in (
        ("\n".join(text for text in values if text not in literal), True, True),
        ("\n".join(text for text in values if text in literal), True, False),
        ("\n".join(sorted(only_identifying - literal)), False, True),
        ("\n".join(sorted(only_identifying & literal)), False, False)) if text)


def _found(rendered: Mapping[str, Any]) -> tuple[list[Secret], dict[str, str]]:
    """The secrets in the documents, and the output first holding each string."""
    first_seen: dict[str, str] = {}
    identifiers: set[str] = set()
    literal: set[str] = set()
    found: list[Secret] = []
    for output, document in rendered.items():
        this = _walk(document, _expands(output))
        for text in this.strings:
            first_seen.setdefault(text, output)
        if not _expands(output):
            literal.update(this.strings)
        identifiers |= this.identifiers
        found += this.keyed
    by_output: dict[tuple[str, bool], list[str]] = {}
    for text, output in first_seen.items():
        if text not in identifiers:
            by_output.setdefault((output, text not in literal), []).append(text)
    found += distinct([secret for (_, expands), texts in by_output.items()
                       for secret in find("\n".join(texts), expands=expands)])
    found += find("\n".join(sorted(identifiers - literal)), hex_keys=False)
    if identifiers & literal:
        found += find("\n".join(sorted(identifiers & literal)), hex_keys=False, expands=False)
    return found, first_seen


def in_document(document: Any) -> list[tuple[Secret, Path, str]]:
    """Every secret in one document as the build's scan finds it in out/ (a document whose server expands `$VAR`),
    each once, with the path of the string holding it and that string: what `obsgen import` would write into
    definitions/."""
    found, _ = _found({"": document})
    strings = _Strings(document)
    result = []
    for secret in dict.fromkeys(found):
        held = _holding(strings, secret)
        result.append((secret, held[0], held[1]) if held is not None else (secret, (), secret.value))
    return result


def described(secret: Secret, field: Path) -> str:
    """A secret, shortened, and the field holding it."""
    shown = secret.value if len(secret.value) <= 12 else secret.value[:8] + "..."
    return f"{secret.kind} ({shown}) in {'.'.join(str(part) for part in field) or 'a value'}"


def message(leak: Leak) -> str:
    """What a leak is, where it would have been written, and the field it came from."""
    return (f"{described(leak.secret, leak.field)} would be written to out/{leak.output}; "
            "reference it (a *_file field, an environment variable) instead of writing it")


def check(context: Context) -> Iterator[Finding]:
    for leak in leaks(context):
        at: Definition | Location = leak.definition if leak.definition is not None else context.project.stack
        yield Finding(at, message(leak), leak.field if leak.definition is not None else ())
