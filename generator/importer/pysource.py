"""Python source of a definitions module holding imported rule sets, written to be read and edited by people."""

from __future__ import annotations

import ast
import functools
import math
import re
import textwrap
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from pydantic import BaseModel

from generator.model import Query, RuleSet, Threshold

WIDTH = 116
INDENT = "    "

# Argument order: what a thing is before how it behaves; long lists last (others in declaration order).
_FIRST = ["name", "source", "alert", "rule_set", "title", "grafana_uid", "kind", "expr", "for_", "keep_firing_for",
          "interval", "limit", "query_offset"]
_LAST = ["labels", "annotations", "extra", "groups", "rules", "variables", "panels", "rows", "external_series"]


@functools.cache
def _escape(char: str) -> str:
    """A character Python source cannot show as itself (controls, separators, lone surrogates), escaped."""
    return char if char.isprintable() else repr(char)[1:-1]


def py_str(text: str) -> str:
    """A double-quoted Python literal that evaluates to exactly `text`, whatever it holds.

    JSON's string escapes are Python's; what JSON leaves raw but is not printable is escaped as repr() does."""
    literal = encode_basestring(text)  # json.dumps(text, ensure_ascii=False) without its per-call overhead
    return literal if literal.isprintable() else "".join(map(_escape, literal))


def docstring_literal(text: str) -> str:
    """A triple-quoted docstring of `text` (which may hold text read from an import): every backslash and
    quote escaped, so nothing in it can end the string early."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"""' + "".join(char if char == "\n" else _escape(char) for char in escaped) + '\n"""'


def _shorthand(value: Any) -> Any:
    """Values written the short way a person would: a plain query as its text, colour steps as pairs."""
    if isinstance(value, Query) and value == Query(expr=value.expr) and isinstance(value.expr, str):
        return value.expr
    if isinstance(value, tuple) and value and all(isinstance(step, Threshold) for step in value) \
            and value[0].value is None:
        return tuple((step.value, step.color) for step in value)
    return value


def _pieces(text: str, room: int) -> list[str]:
    """text cut into pieces whose literals fit in room columns, after a space where it can.

    Linear in its length: a piece is taken whole and shrunk only when escapes make its literal too wide."""
    pieces: list[str] = []
    start = 0
    while start < len(text):
        piece = text[start:start + room - 2]
        while (width := len(py_str(piece))) > room and len(piece) > 1:
            piece = piece[:max(1, len(piece) * (room - 2) // (width - 2))]
        if start + len(piece) < len(text) and (space := piece.rfind(" ")) > 0:
            piece = piece[:space + 1]
        pieces.append(piece)
        start += len(piece)
    return pieces


def _string(text: str, indent: str, used: int) -> str:
    """A string literal, or adjacent literals in parentheses, one line each, when it does not fit."""
    if "\n" not in text.rstrip("\n") and used + len(py_str(text)) + 1 <= WIDTH:
        return py_str(text)
    inner = indent + INDENT
    pieces = [piece for line in re.findall(r"[^\n]*\n|[^\n]+", text) for piece in _pieces(line, WIDTH - len(inner))]
    return "(\n" + "".join(f"{inner}{py_str(piece)}\n" for piece in pieces) + f"{indent})"


def _literal(value: Any, indent: str, used: int) -> str:
    """Python source of a value starting at column `used`: one line when it fits, else one element per line
    (lists stay lists, tuples tuples, long strings adjacent literals)."""
    value = _shorthand(value)
    if isinstance(value, BaseModel):
        return _call(value, indent)
    if isinstance(value, str):
        return _string(value, indent, used)
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, int | float | bool) or value is None:
        return repr(value)
    inner = indent + INDENT
    if isinstance(value, dict):
        items = [f"{py_str(str(k))}: {_literal(v, inner, len(inner) + len(py_str(str(k))) + 2)}"
                 for k, v in value.items()]
        opening, closing = "{", "}"
    elif isinstance(value, list):
        items = [_literal(v, inner, len(inner)) for v in value]
        opening, closing = "[", "]"
    else:
        items = [_literal(v, inner, len(inner)) for v in value]
        opening, closing = "(", ("," if len(items) == 1 else "") + ")"
    one_line = opening + ", ".join(items) + closing
    if "\n" not in one_line and used + len(one_line) + 1 <= WIDTH:
        return one_line
    return opening + "\n" + "".join(f"{inner}{item},\n" for item in items) + indent + closing.lstrip(",")


def _position(fields: list[str], name: str) -> tuple[int, int]:
    if name in _FIRST:
        return 0, _FIRST.index(name)
    return (2, _LAST.index(name)) if name in _LAST else (1, fields.index(name))


def _call(model: BaseModel, indent: str) -> str:
    """A constructor call, as a person would write it."""
    inner = indent + INDENT
    arguments = [f"{name}={_literal(value, inner, len(inner) + len(name) + 1)}" for name, value in _arguments(model)]
    return f"{type(model).__name__}(\n" + "".join(f"{inner}{arg},\n" for arg in arguments) + f"{indent})"


def _arguments(model: BaseModel) -> list[tuple[str, Any]]:
    """The fields a constructor call needs (those that differ from their defaults), in reading order."""
    fields = type(model).model_fields
    names = sorted(fields, key=lambda field: _position(list(fields), field))
    return [(name, getattr(model, name)) for name in names
            if getattr(model, name) != fields[name].get_default(call_default_factory=True)]


def constructors(objects: list[BaseModel]) -> list[str]:
    """Names of the model classes the source of these objects calls, to import them."""
    found: set[str] = set()

    def visit(value: Any) -> None:
        value = _shorthand(value)
        if isinstance(value, BaseModel):
            found.add(type(value).__name__)
            for _name, argument in _arguments(value):
                visit(argument)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)

    for obj in objects:
        visit(obj)
    return sorted(found)


def definitions_module(docstring: list[str], assignments: list[tuple[str, BaseModel]]) -> str:
    """A definitions module: its docstring, the model imports, one assignment per object."""
    names = constructors([obj for _, obj in assignments])
    imports = f"from generator.model import {', '.join(names)}"
    if len(imports) > WIDTH:
        imports = "from generator.model import (\n" + "".join(f"{INDENT}{name},\n" for name in names) + ")"
    text = [line for paragraph in docstring for line in (textwrap.wrap(
        paragraph, WIDTH, subsequent_indent="  " if paragraph.startswith("- ") else "", break_long_words=False,
        break_on_hyphens=False) or [""])]
    lines = [docstring_literal("\n".join(text)), "", imports]
    for variable, obj in assignments:
        lines += ["", f"{variable} = {_call(obj, '')}"]
    return "\n".join(lines) + "\n"


def variable_name(rule_set: RuleSet) -> str:
    """UPPER_SNAKE_CASE module global for a rule set."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", rule_set.name).strip("_").upper()
    return name if name[:1].isalpha() else f"RULES_{name}"


def module_source(rule_sets: list[RuleSet], source: str, notes: list[str]) -> str:
    """A definitions module declaring the rule sets."""
    header = [
        f"Rules imported by `obsgen import` from {source}.",
        "",
        "Kept as written (parsed, not re-modelled). Change them with AlertOverride in a module of your own,",
        "so that importing a newer version of the file does not undo the change.",
    ]
    if notes:
        header += ["", "Import notes:", *(f"- {note}" for note in notes)]
    return definitions_module(header, [(variable_name(rule_set), rule_set) for rule_set in rule_sets])


@dataclass(frozen=True)
class Called:
    """A constructor call of a module definitions_module wrote that a line of it is in."""

    name: str  # the constructor
    index: int  # among the calls of the constructors sought in the call before it (the module, for the outermost)
    argument: str  # the argument the line is in, "" for none
    item: int | None  # the element of that argument (a tuple or list) the line is in, None for none
    strings: dict[str, str]  # its arguments written as a string literal (a panel's title, a variable's name)


def _spans(node: ast.expr | ast.keyword, line: int) -> bool:
    return node.lineno <= line <= (node.end_lineno or node.lineno)


def calls_at(source: str, line: int, names: frozenset[str]) -> list[Called]:
    """The calls of the constructors `names` a line of a module definitions_module wrote is in, outermost first."""
    found: list[Called] = []
    node: ast.AST = ast.parse(source)
    while True:
        inside = [(index, call) for index, call in enumerate(_outermost(node, names)) if _spans(call, line)]
        if not inside:
            return found
        index, call = inside[0]
        keyword = next((k for k in call.keywords if k.arg and _spans(k, line)), None)
        items = keyword.value.elts if keyword is not None and isinstance(keyword.value, ast.Tuple | ast.List) else []
        item = next((at for at, element in enumerate(items) if _spans(element, line)), None)
        strings = {k.arg: k.value.value for k in call.keywords
                   if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
        name = call.func.id if isinstance(call.func, ast.Name) else ""
        found.append(Called(name, index, (keyword.arg or "") if keyword else "", item, strings))
        node = keyword if keyword is not None else call


def _outermost(node: ast.AST, names: frozenset[str]) -> list[ast.Call]:
    """The calls of `names` below a node and not inside one another, in the order written."""
    found: list[ast.Call] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in names:
            found.append(child)
        else:
            found += _outermost(child, names)
    return found
