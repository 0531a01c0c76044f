"""Python source of a definitions module holding imported rule sets, written to be read and edited by people."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from generator.model import RuleSet

WIDTH = 116
INDENT = "    "
# Field values equal to these defaults are left out, as a person would.
_DEFAULTS: dict[str, Any] = {"for_": "0s", "keep_firing_for": "0s", "labels": {}, "annotations": {}, "extra": {},
                             "interval": None, "limit": None, "query_offset": None, "external_series": ()}

# Argument order: what a rule is before how it is evaluated; long lists last.
_ORDER = ["name", "source", "alert", "rule_set", "expr", "for_", "keep_firing_for", "interval", "limit", "query_offset",
          "labels", "annotations", "extra", "groups", "rules", "external_series"]


def py_str(text: str) -> str:
    """A double-quoted Python literal of text (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


def _literal(value: Any, indent: str) -> str:
    """Python source of a value, one line when it fits, else one element per line."""
    if isinstance(value, BaseModel):
        return _call(value, indent)
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        lines = value.splitlines(keepends=True)
        inner = indent + INDENT
        return "(\n" + "".join(f"{inner}{py_str(line)}\n" for line in lines) + f"{indent})"
    if isinstance(value, str | int | float | bool) or value is None:
        return py_str(value) if isinstance(value, str) else repr(value)
    inner = indent + INDENT
    if isinstance(value, dict):
        items = [f"{py_str(str(k))}: {_literal(v, inner)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_literal(v, inner) for v in value]
        opening, closing = "(", ("," if len(items) == 1 else "") + ")"
    one_line = opening + ", ".join(items) + closing
    if "\n" not in one_line and len(indent) + len(one_line) <= WIDTH - 20:
        return one_line
    return opening + "\n" + "".join(f"{inner}{item},\n" for item in items) + indent + ("}" if isinstance(value, dict)
                                                                                        else ")")


def _call(model: BaseModel, indent: str) -> str:
    inner = indent + INDENT
    arguments = []
    for name in sorted(type(model).model_fields, key=lambda field: _ORDER.index(field)):
        value = getattr(model, name)
        if name in _DEFAULTS and value == _DEFAULTS[name]:
            continue
        arguments.append(f"{name}={_literal(value, inner)}")
    return f"{type(model).__name__}(\n" + "".join(f"{inner}{arg},\n" for arg in arguments) + f"{indent})"


def variable_name(rule_set: RuleSet) -> str:
    """UPPER_SNAKE_CASE module global for a rule set."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", rule_set.name).strip("_").upper()
    return name if name[:1].isalpha() else f"RULES_{name}"


def module_source(rule_sets: list[RuleSet], source: str, notes: list[str]) -> str:
    """A definitions module declaring the rule sets."""
    kinds = {type(rule).__name__ for rule_set in rule_sets for group in rule_set.groups for rule in group.rules}
    names = sorted({"RuleGroup", "RuleSet"} | kinds)
    header = [
        f'"""Rules imported by `obsgen import` from {source}.',
        "",
        "Kept as written (parsed, not re-modelled). Change them with AlertOverride in a module of your own,",
        "so that importing a newer version of the file does not undo the change.",
    ]
    if notes:
        header += ["", "Import notes:", *(f"- {note}" for note in notes)]
    lines = [*header, '"""', "", f"from generator.model import {', '.join(names)}", ""]
    for rule_set in rule_sets:
        lines += ["", f"{variable_name(rule_set)} = {_call(rule_set, '')}"]
    return "\n".join(lines) + "\n"

