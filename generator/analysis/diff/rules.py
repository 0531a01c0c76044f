"""Alerting and recording rules compared across the generated rule files, by meaning rather than by text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.analysis.diff.changes import Change, OutTree, Table, compare_keyed, numbered
from generator.core.duration import format_seconds, parse_seconds
from generator.core.promql import PromQLError, parse
from generator.derive.escalation import copied_series
from generator.model import conventions
from generator.targets import loki

RULES_DIR = conventions.RULES_DIR + "/"
LOKI_RULES_DIR = loki.RULES_DIR + "/"
_EMPTY_BRACES = re.compile(r"(?<=[\w:])\{\}")


def canonical_expr(expr: Any) -> str:
    """One-line canonical PromQL: equal for expressions that differ only in formatting (LogQL, which the PromQL
    parser refuses, on one line as written)."""
    text = str(expr)
    try:
        return _EMPTY_BRACES.sub("", str(parse(text)))
    except PromQLError:
        return " ".join(text.split())


def _duration(value: Any) -> str:
    return format_seconds(parse_seconds(str(value))) if value not in (None, "") else "0s"


def rule_fields(rule: dict[str, Any], where: str) -> dict[str, str]:
    """What a rule means, field by field: canonical expr, durations, each label and annotation. An escalation
    copy's expr is the alert's firing series it reads: the alert's condition it repeats for the value is the
    alert's, whose change is said once, on the alert."""
    copied = copied_series(str(rule["expr"])) if conventions.ESCALATION_LEVEL_LABEL in (rule.get("labels") or {}) \
        else None
    fields = {"expr": canonical_expr(copied or rule["expr"]), "group": where}
    if "alert" in rule:
        fields["for"] = _duration(rule.get("for"))
        fields["keep_firing_for"] = _duration(rule.get("keep_firing_for"))
    for kind in ("labels", "annotations"):
        for key, value in (rule.get(kind) or {}).items():
            fields[f"{kind}.{key}"] = str(value)
    return fields


def rule_name(rule: dict[str, Any], kind: str) -> str:
    """How a rule is named in a diff: an escalation copy by its alert and level ("CpuHigh escalation level 2")."""
    level = (rule.get("labels") or {}).get(conventions.ESCALATION_LEVEL_LABEL)
    return f"{rule[kind]} escalation level {level}" if kind == "alert" and level else str(rule[kind])


def rule_groups(tree: OutTree) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every rule group with its file: Prometheus' rule files, then Loki's ruler's (LogQL rules)."""
    for directory, suffix in ((RULES_DIR, ".yml"), (LOKI_RULES_DIR, ".yaml")):
        for path in tree.paths(directory, suffix):
            for group in (tree.document(path) or {}).get("groups") or ():
                yield path, group


def is_loki(path: str) -> bool:
    """Whether a rule file is Loki's ruler's (its expressions are LogQL, evaluated by Loki)."""
    return path.startswith(LOKI_RULES_DIR)


def rule_table(tree: OutTree, kind: str) -> Table:
    """Rules of a kind ("alert" or "record") keyed by name, "#n" added when several rules share one."""
    found: list[tuple[str, str, dict[str, str]]] = []
    for path, group in rule_groups(tree):
        for rule in group.get("rules") or ():
            if kind in rule:
                found.append((rule_name(rule, kind), path, rule_fields(rule, f"{path}: {group['name']}")))
    return numbered(found)


def compare_recording_rules(base: OutTree, head: OutTree) -> list[Change]:
    """Recording rules added, removed or changed."""
    return compare_keyed("recording rules", rule_table(base, "record"), rule_table(head, "record"))
