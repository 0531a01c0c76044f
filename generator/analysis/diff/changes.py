"""What a comparison reports, what it compares, and the registry of comparers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.core.untrusted import decoded, json_document, yaml_document
from generator.package.tree import read_tree


@dataclass(frozen=True)
class FieldChange:
    """One field of a thing that changed: old and new value ("" when absent)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """A thing added, removed or changed, in the section (alerts, routes...) that compares it."""

    section: str
    action: str  # "added", "removed" or "changed"
    name: str
    where: str = ""
    fields: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class OutTree:
    """A generated out/ directory, read once: file bytes, and parsed documents on demand."""

    root: Path
    _parsed: dict[str, Any] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict, compare=False)
    """What an analysis read from its documents once, by a key of its own (routing.alertmanager_routes)."""

    @cached_property
    def files(self) -> dict[str, bytes]:
        """Every file's bytes by path relative to the root (within package.tree's bounds)."""
        return read_tree(self.root)

    def document(self, path: str) -> Any:
        """The parsed YAML (or JSON) document at path, None when the file does not exist; FileError (core.untrusted)
        at the line of a file a side's build wrote that is not one document within the bounds, or holds a key twice
        (a ref may carry its own generator, which writes what it likes)."""
        if path not in self._parsed:
            data = self.files.get(path)
            if data is None:
                self._parsed[path] = None
            else:
                parse = json_document if path.endswith(".json") else yaml_document
                self._parsed[path] = parse(self.root / path, decoded(self.root / path, data))
        return self._parsed[path]

    def paths(self, prefix: str, suffix: str) -> list[str]:
        """Paths under prefix ending in suffix, sorted."""
        return [p for p in self.files if p.startswith(prefix) and p.endswith(suffix)]


Comparer = Callable[[OutTree, OutTree], list[Change]]
"""Compares one kind of generated document on both sides; a dashboards comparer plugs in the same way."""


Table = dict[str, tuple[str, dict[str, str]]]
"""Things by name, each as (where, fields)."""


def numbered(found: list[tuple[str, str, dict[str, str]]]) -> Table:
    """(name, where, fields) keyed by name, with " #n" added to names that several things share, in order."""
    totals = Counter(name for name, _where, _fields in found)
    seen: Counter[str] = Counter()
    table = {}
    for name, where, fields in found:
        seen[name] += 1
        table[name if totals[name] == 1 else f"{name} #{seen[name]}"] = (where, fields)
    return table


def compare_fields(old: dict[str, str], new: dict[str, str]) -> tuple[FieldChange, ...]:
    """Fields whose values differ, in a stable order (absent fields read as "")."""
    return tuple(FieldChange(key, old.get(key, ""), new.get(key, ""))
                 for key in sorted(old.keys() | new.keys(), key=lambda k: (k.count("."), k))
                 if old.get(key, "") != new.get(key, ""))


def compare_keyed(section: str, old: Table, new: Table) -> list[Change]:
    """Added, removed and changed things keyed by name, each given as (where, fields)."""
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(Change(section, "removed", name, old[name][0]))
        elif name not in old:
            changes.append(Change(section, "added", name, new[name][0]))
        elif fields := compare_fields(old[name][1], new[name][1]):
            changes.append(Change(section, "changed", name, new[name][0], fields))
    return changes
