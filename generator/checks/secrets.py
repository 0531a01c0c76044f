"""No file written to out/ carries a secret, whatever field it was typed into.

Every string of every rendered document, keys and values, and the dashboards packaged as JSON inside ConfigMaps,
is scanned with Yelp detect-secrets' provider formats (Slack, GitHub, AWS, Stripe, JWTs, private keys...) and
obsgen's rules for credentials in URLs (user part, token parameters, random-looking path segments),
Authorization headers, PagerDuty keys and keys that only hold secrets (secureJsonData, *password). A secret in
out/ is in git and on every server GitOps ships to. It is reported at the definition and field it was typed
into; one no field holds whole (assembled from several) at the Stack.

Fix: reference the secret instead (`*_file` fields, environment variables, Grafana's `$__file{...}`); for a
value that only looks like one, `# obsgen: disable=SC001 <why it is not a secret>` on the definition.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.checks.base import Context, Finding
from generator.core.errors import Level, Location
from generator.core.secret_scan import Secret, find, under_key
from generator.model import Definition
from generator.model.project import Project

CODE = "SC001"
NAME = "secret-in-output"
LEVEL = Level.ERROR
IDENTIFIER_KEYS = ("uid", "id")
"""Keys whose values are identifiers: Grafana uids are 32 hex digits, like PagerDuty keys, so that rule is off."""

SECURE = "secureJsonData"
"""Grafana's map of secrets: everything under it is one."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Leak:
    """A secret in the output: the definition and field it came from (None when no field holds it), and where."""

    secret: Secret
    definition: Definition | None
    field: Path
    output: str


def _strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string in a document with its path, keys included; JSON held in a string is walked as a document."""
    if isinstance(value, str):
        if value.startswith("{"):
            try:
                yield from _strings(json.loads(value), path)
                return
            except ValueError:
                pass
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield (*path, str(key)), str(key)
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _identifier(path: Path) -> bool:
    key = str(path[-1]) if path else ""
    return key in IDENTIFIER_KEYS or key.endswith("Uid")


def _source(project: Project, value: str) -> tuple[Definition | None, Path]:
    """The definition, and the path of its field, holding value (the innermost definition when nested)."""
    for definition in sorted(project.objects, key=lambda obj: obj.location):
        for path, text in _strings(definition.model_dump(mode="json", by_alias=True)):
            if value in text:
                return definition, path
    return None, ()


def leaks(project: Project, rendered: Mapping[str, Any]) -> list[Leak]:
    """Every secret in the rendered documents, each once, with where it came from.

    Strings are scanned once each however many documents hold them (the packaged copies of dashboards and
    rules repeat most of them), in two texts: identifiers, and everything else."""
    first_seen: dict[str, str] = {}
    identifiers: set[str] = set()
    found: list[Secret] = []
    for output, document in rendered.items():
        for path, text in _strings(document):
            first_seen.setdefault(text, output)
            if _identifier(path):
                identifiers.add(text)
            if path and text != path[-1]:  # a value: is its key one that only holds secrets?
                key = SECURE if SECURE in path else str(path[-1])
                if keyed := under_key(key, text):
                    found.append(keyed)
    others = [text for text in first_seen if text not in identifiers]
    found += find("\n".join(others)) + find("\n".join(sorted(identifiers)), hex_keys=False)
    result = []
    for secret in dict.fromkeys(found):
        output = next((first_seen[text] for text in first_seen if secret.value in text), "")
        definition, field = _source(project, secret.value)
        result.append(Leak(secret, definition, field, output))
    return result


def message(leak: Leak) -> str:
    """What a leak is, where it would have been written, and the field it came from."""
    field = ".".join(str(part) for part in leak.field)
    shown = leak.secret.value if len(leak.secret.value) <= 12 else leak.secret.value[:8] + "..."
    return (f"{leak.secret.kind} ({shown}) in {field or 'a value'} would be written to out/{leak.output}; "
            "reference it (a *_file field, an environment variable) instead of writing it")


def check(context: Context) -> Iterator[Finding]:
    for leak in leaks(context.project, context.rendered):
        at: Definition | Location = leak.definition if leak.definition is not None else context.project.stack
        yield Finding(at, message(leak), leak.field if leak.definition is not None else ())
