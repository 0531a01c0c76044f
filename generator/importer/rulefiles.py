"""Prometheus rule files and PrometheusRule objects read into RuleSets, every field kept or reported."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from generator.core.errors import DefinitionError, Location
from generator.core.promql import metric_names
from generator.core.wording import plural_of
from generator.derive.series import SYNTHETIC_SERIES
from generator.importer.pysource import Called, variable_name
from generator.importer.reading import (
    Budget,
    ReadError,
    check_objects,
    error_line,
    item_line,
    line_of,
    load_yaml_as_written,
    mapping,
    mapping_at,
    notes_written,
    read_text,
    sequence,
    type_name,
    typed,
)
from generator.model import ImportedAlert, ImportedRecord, RuleGroup, RuleSet
from generator.model.identity import slug

GROUP_FIELDS = {"name", "interval", "limit", "query_offset", "labels", "rules"}
RULE_FIELDS = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}


@dataclass
class ImportedRules:
    """The rule sets read from one file, and what the reader had to say about them."""

    path: Path
    rule_sets: list[RuleSet]
    stem: str = ""  # the file's name without suffix, qualified by its directory when the batch repeats it
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, what the reader says), 0: the whole file
    places: list[dict[str, int]] = field(default_factory=list)  # each rule's, in order: its fields' lines (its own: "")
    calls: ClassVar[frozenset[str]] = frozenset({"ImportedAlert", "ImportedRecord"})  # what line_at reads of a module

    def line_at(self, called: list[Called]) -> int:
        """The line of the file where the rule a line of its module is in (`called`, by pysource.calls_at of
        `calls`: the rules in the order written, the order read) is written, at the field the line is in (its
        expression's for a bad expression); 0 when the module's line is in no rule."""
        if not called or called[-1].index >= len(self.places):
            return 0
        places = self.places[called[-1].index]
        return places.get(called[-1].argument) or places[""]

    def notes_written(self) -> list[str]:
        """The notes as the module writes them (reading.notes_written)."""
        return notes_written(self.notes)


def kebab(name: str) -> str:
    """lower-kebab-case, splitting camelCase words (nodeExporter-prometheusRule -> node-exporter-prometheus-rule)."""
    return slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name))


def _strings(value: Any, what: str) -> dict[str, str]:
    return {str(key): "" if item is None else str(item) for key, item in mapping(value, what).items()}


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}"
    return str(error)


def _field_line(entry: Any, error: Exception) -> int:
    """The line of the field of a rule an error is about (the model's `name` is `alert` or `record`), else of the
    rule; 0 when the rule has no line (not a mapping)."""
    if isinstance(error, ReadError) and error.line:
        return error.line
    field = str(error.errors()[0]["loc"][0]) if isinstance(error, ValidationError) and error.errors()[0]["loc"] else ""
    if field == "name" and isinstance(entry, dict):
        field = "alert" if "alert" in entry else "record"
    return line_of(entry, field or None)


def _rule(entry: Any) -> ImportedAlert | ImportedRecord:
    if not isinstance(entry, dict):
        raise ValueError(f"a rule must be a mapping, got {entry!r}")
    unknown = sorted(set(entry) - RULE_FIELDS)
    if unknown:
        raise ReadError(f"{plural_of(len(unknown), 'unknown rule field')} {', '.join(unknown)} "
                        "(Prometheus would reject them too)", line_of(entry, unknown[0]))
    if ("alert" in entry) == ("record" in entry):
        raise ValueError("a rule has exactly one of alert or record")
    common = {"expr": str(entry.get("expr", "")), "labels": _strings(entry.get("labels"), "labels")}
    if "record" in entry:
        if alerting := sorted({"for", "keep_firing_for", "annotations"} & set(entry)):
            raise ReadError(f"recording rule {entry['record']} has alerting-only fields",
                            line_of(entry, alerting[0]))
        return ImportedRecord(name=str(entry["record"]), **common)
    optional = {key: str(entry[key]) for key in ("for", "keep_firing_for") if entry.get(key) is not None}
    return ImportedAlert(name=str(entry["alert"]), annotations=_strings(entry.get("annotations"), "annotations"),
                         **common, **optional)


def _places(entry: Any) -> dict[str, int]:
    """Where a rule's fields are written (`name` at its alert or record key, `for_` at `for`, "" the rule itself)."""
    places = {str(key): line_of(entry, key) for key in entry} | {"": line_of(entry)}
    return places | {"name": places.get("alert") or places.get("record") or places[""], "for_": places.get("for", 0)}


def _group(entry: Any, notes: list[tuple[int, str]], line: int, places: list[dict[str, int]]) -> RuleGroup:
    """The group a mapping of the file says (`line`: where it is written, for one that is not a mapping), each
    rule's places appended to `places`."""
    if not isinstance(entry, dict) or "name" not in entry:
        raise ReadError("a rule group must be a mapping with a name", line_of(entry, default=line))
    rules = []
    try:
        listed = sequence(entry.get("rules"), f"group {entry['name']}: rules")
    except ValueError as error:
        raise ReadError(str(error), line_of(entry, "rules")) from None
    for index, rule in enumerate(listed, start=1):
        try:
            rules.append(_rule(rule))
            places.append(_places(rule))
        except (ValueError, ValidationError) as error:
            raise ReadError(f"group {entry['name']}, rule {index}: {_message(error)}",
                            _field_line(rule, error) or item_line(entry, "rules", index - 1)) from None
    extra = {str(key): typed(value) for key, value in entry.items() if key not in GROUP_FIELDS}
    if extra:
        notes.append((line_of(entry), f"group {entry['name']}: {', '.join(sorted(extra))} kept verbatim (obsgen does "
                                      "not model it)"))
    repeated = Counter((rule.name, tuple(sorted(rule.labels.items())))
                       for rule in rules if isinstance(rule, ImportedRecord))
    for (name, _labels), count in sorted(repeated.items()):
        if count > 1:
            notes.append((line_of(entry), f"group {entry['name']}: {count} rules record {name} with the same labels "
                                          "(promtool's duplicate-rules lint reports them; kept as written)"))
    optional = {key: typed(entry[key]) for key in ("interval", "limit", "query_offset") if entry.get(key) is not None}
    try:
        return RuleGroup(name=str(entry["name"]), labels=_strings(entry.get("labels"), "group labels"),
                         extra=extra, rules=tuple(rules), **optional)
    except ValidationError as error:
        raise ReadError(_message(error), _field_line(entry, error)) from None


def yaml_documents(path: Path, budget: Budget | None = None) -> list[Any]:
    """The documents of a YAML file (within reading's bounds and the import's budget, plain scalars as written:
    core.untrusted), the items of Kubernetes Lists among them."""
    pending = [doc for doc in load_yaml_as_written(read_text(path, budget)) if doc is not None]
    found = []
    while pending:
        doc = pending.pop(0)
        if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            pending = list(doc["items"]) + pending
        else:
            found.append(doc)
    return found


def _documents(stem: str, documents: list[Any], notes: list[tuple[int, str]]) -> Iterator[tuple[str, Any]]:
    """(rule set name, the mapping holding its `groups`) of every rule-bearing document: plain rule files,
    PrometheusRule objects (their spec)."""
    plain = 0
    for doc in documents:
        if not isinstance(doc, dict):
            raise ValueError(f"expected a mapping, got {type_name(doc)}")
        kind = doc.get("kind")
        metadata = mapping_at(doc, "metadata", f"{kind} metadata") if "kind" in doc else {}
        spec = mapping_at(doc, "spec", "PrometheusRule spec") if kind == "PrometheusRule" else {}
        if kind == "PrometheusRule":
            yield str(metadata.get("name") or kebab(stem)), spec
            notes.append((line_of(doc), f"PrometheusRule {metadata.get('name')}: metadata (namespace, labels) is "
                                        "Kubernetes packaging; out/kubernetes/ labels objects from the Kubernetes "
                                        "definition"))
        elif "groups" in doc and "kind" not in doc:
            plain += 1
            yield kebab(stem) + (f"-{plain}" if plain > 1 else ""), doc
        elif "kind" in doc:
            notes.append((line_of(doc), f"skipped {kind} {metadata.get('name', '')}: not rules"))
        else:
            raise ReadError("neither a rule file (groups:) nor a PrometheusRule", line_of(doc))


def read_rules(path: Path, documents: list[Any] | None = None, source: str = "", stem: str = "",
               budget: Budget | None = None) -> ImportedRules:
    """The rule sets of a file (or of its documents, already parsed), each recording `source` (by default the file
    name) as where it came from, its rules counted in the import's budget; DefinitionError naming the file and
    rule."""
    budget = budget or Budget()
    result = ImportedRules(path, [], stem=stem or path.stem)
    read: dict[str, str] = {}  # module variable of each rule set -> the name it was read from
    count = 0
    try:
        for name, owner in _documents(result.stem, yaml_documents(path, budget) if documents is None
                                      else documents, result.notes):
            groups, line = owner.get("groups"), line_of(owner, "groups")
            if groups is not None and not isinstance(groups, list):
                raise ReadError(f"groups must be a list of rule groups, got {type_name(groups)}", line)
            count += sum(len(group["rules"]) for group in groups or ()
                         if isinstance(group, dict) and isinstance(group.get("rules"), list))
            check_objects(count, "rules", budget)
            parsed = tuple(_group(group, result.notes, item_line(owner, "groups", index), result.places)
                           for index, group in enumerate(groups or ()))
            if not parsed:
                result.notes.append((line, f"{name}: no rule groups, nothing imported"))
                continue
            rule_set = RuleSet(name=kebab(name), source=source or path.name, groups=parsed)
            if (variable := variable_name(rule_set)) in read:  # one module holds them: names must stay apart
                first, second = sorted((read[variable], str(name)))
                raise ReadError(f"{first!r} and {second!r} would both be rule set {rule_set.name} (obsgen names "
                                "them in kebab-case); rename one", line)
            read[variable] = str(name)
            result.rule_sets.append(rule_set)
    except (ValueError, ValidationError) as error:
        raise DefinitionError(Location(str(path), error_line(error)), f"cannot import: {_message(error)}") from None
    budget.objects += count
    return result


def with_external_series(imported: list[ImportedRules]) -> None:
    """Declare on each rule set the series it reads that no rule set of the batch records."""
    recorded = {record.name for item in imported for rule_set in item.rule_sets for record in rule_set.records()}
    for item in imported:
        for index, rule_set in enumerate(item.rule_sets):
            read = {name for group in rule_set.groups for rule in group.rules for name in metric_names(rule.expr)}
            external = tuple(sorted(read - recorded - SYNTHETIC_SERIES))
            item.rule_sets[index] = rule_set.model_copy(update={"external_series": external})
