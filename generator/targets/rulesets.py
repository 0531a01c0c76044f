"""Imported rule sets as Prometheus rule files: prometheus/rules/ruleset-<name>.yml, groups as in the source."""

from __future__ import annotations

from typing import Any

from generator.model import ImportedAlert, ImportedRecord, RuleGroup, RuleSet, conventions
from generator.model.project import Project


def rule_entry(rule: ImportedAlert | ImportedRecord) -> dict[str, Any]:
    """A rule as Prometheus reads it, fields in the conventional order and labels as written."""
    entry: dict[str, Any] = {"alert": rule.name} if isinstance(rule, ImportedAlert) else {"record": rule.name}
    entry["expr"] = rule.expr
    if isinstance(rule, ImportedAlert):
        if rule.for_ is not None:  # as the source wrote it, `for: 0s` included
            entry["for"] = rule.for_
        if rule.keep_firing_for is not None:
            entry["keep_firing_for"] = rule.keep_firing_for
    if rule.labels:
        entry["labels"] = dict(rule.labels)
    if isinstance(rule, ImportedAlert) and rule.annotations:
        entry["annotations"] = dict(rule.annotations)
    return entry


def group_entry(group: RuleGroup) -> dict[str, Any]:
    """A rule group as Prometheus reads it; fields obsgen does not model are written back as they came."""
    entry: dict[str, Any] = {"name": group.name}
    for field in ("interval", "limit", "query_offset"):
        if getattr(group, field) is not None:
            entry[field] = getattr(group, field)
    if group.labels:
        entry["labels"] = dict(group.labels)
    entry.update(group.extra)
    entry["rules"] = [rule_entry(rule) for rule in group.rules]
    return entry


def rule_file(rule_set: RuleSet) -> dict[str, Any]:
    """The rule file of a rule set."""
    return {"groups": [group_entry(group) for group in rule_set.groups]}


def render(project: Project) -> dict[str, Any]:
    """One rule file per rule set."""
    return {conventions.rule_set_file(rule_set.name): rule_file(rule_set) for rule_set in project.all(RuleSet)}
