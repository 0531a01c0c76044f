"""Alerting and recording rules compared across the generated rule files, by meaning rather than by text."""

from __future__ import annotations

import re
from typing import Any

from generator.analysis.diff.changes import Change, OutTree, Table, compare_keyed, numbered
from generator.core.duration import format_seconds, parse_seconds
from generator.core.promql import PromQLError, parse
from generator.model import conventions

RULES_DIR = conventions.RULES_DIR + "/"
_EMPTY_BRACES = re.compile(r"(?<=[\w:])\{\}")


def canonical_expr(expr: Any) -> str:
    """One-line canonical PromQL: equal for expressions that differ only in formatting."""
    text = str(expr)
    try:
        return _EMPTY_BRACES.sub("", str(parse(text)))
    except PromQLError:
        return " ".join(text.split())


def _duration(value: Any) -> str:
    return format_seconds(parse_seconds(str(value))) if value not in (None, "") else "0s"


def rule_fields(rule: dict[str, Any], where: str) -> dict[str, str]:
    """What a rule means, field by field: canonical expr, durations, each label and annotation."""
    fields = {"expr": canonical_expr(rule["expr"]), "group": where}
    if "alert" in rule:
        fields["for"] = _duration(rule.get("for"))
        fields["keep_firing_for"] = _duration(rule.get("keep_firing_for"))
    for kind in ("labels", "annotations"):
        for key, value in (rule.get(kind) or {}).items():
            fields[f"{kind}.{key}"] = str(value)
    return fields


def rule_table(tree: OutTree, kind: str) -> Table:
    """Rules of a kind ("alert" or "record") keyed by name, "#n" added when several rules share one."""
    found: list[tuple[str, str, dict[str, str]]] = []
    for path in tree.paths(RULES_DIR, ".yml"):
        for group in (tree.document(path) or {}).get("groups") or ():
            for rule in group.get("rules") or ():
                if kind in rule:
                    found.append((str(rule[kind]), path, rule_fields(rule, f"{path}: {group['name']}")))
    return numbered(found)


def compare_recording_rules(base: OutTree, head: OutTree) -> list[Change]:
    """Recording rules added, removed or changed."""
    return compare_keyed("recording rules", rule_table(base, "record"), rule_table(head, "record"))
