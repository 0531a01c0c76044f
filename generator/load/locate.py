"""The line of a definition's field: the keyword `severity="critcal"` in its constructor call, not the call's line.

A definition remembers the bytecode instruction that constructed it (model.base); that instruction's source
span is exactly one call in the module's syntax tree, whose keywords lead to the field, through nested calls,
tuples and lists written inline.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from types import CodeType

from generator.core.errors import Location
from generator.core.source_state import state
from generator.model.base import Definition, Site

Path_ = tuple[str | int, ...]
"""A field path as pydantic reports it: ("levels", 0, "after")."""


@lru_cache(maxsize=64)
def _lines(file: str, _: tuple[int, int]) -> list[bytes]:
    """A file's lines as bytes (columns in code positions count UTF-8 bytes), for one state of the file."""
    try:
        return Path(file).read_bytes().splitlines(keepends=True)
    except OSError:
        return []


@lru_cache(maxsize=1024)
def _call(file: str, state_: tuple[int, int], where: tuple[int, int, int, int]) -> ast.Call | None:
    """The call whose source is exactly this span of the file, parsed alone (a call is an expression on its own:
    parsing it costs its size, not the module's), with the file's line numbers."""
    start, end, column, end_column = where
    lines = _lines(file, state_)[start - 1:end]
    if len(lines) != end - start + 1:
        return None
    text = lines[0][column:end_column] if start == end else \
        b"".join([lines[0][column:], *lines[1:-1], lines[-1][:end_column]])
    try:
        node = ast.parse(text.decode(), file, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if not isinstance(node, ast.Call):
        return None
    ast.increment_lineno(node, start - 1)
    return node


def span(code: CodeType, instruction: int) -> tuple[int, int, int, int] | None:
    """The source span (line, end line, column, end column) of one bytecode instruction."""
    for index, position in enumerate(code.co_positions()):
        if index == instruction // 2:
            start, end, column, end_column = position
            if start is None or end is None or column is None or end_column is None:
                return None
            return start, end, column, end_column
    return None


def call_at(code: CodeType, instruction: int) -> ast.Call | None:
    """The call expression an instruction executes, found in its file's syntax tree."""
    where = span(code, instruction)
    return _call(code.co_filename, state(code.co_filename), where) if where else None


def _unpacked(node: ast.expr, name: str) -> ast.expr | None:
    """The value a `**` argument certainly gives a keyword, where written inline: a dict literal's entry
    (**{"for": "5m"}), or the right-most known operand's of a `|` merge, which wins (**VALID | {"group": "x"});
    None when it is not written there, or an operand the source does not spell out may give it."""
    if isinstance(node, ast.Dict):
        found = None
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**OTHER, ...}: OTHER may give it (a later key overrides it)
                inner = _unpacked(value, name)
                if inner is not None or not isinstance(value, ast.Dict):
                    found = inner
            elif isinstance(key, ast.Constant) and key.value == name:
                found = value
        return found
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        right = _unpacked(node.right, name)
        if right is not None or not isinstance(node.right, ast.Dict):
            return right  # given on the right, or the right may give it (a name): not the left's to say
        return _unpacked(node.left, name)
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
        if keyword.arg is None and (value := _unpacked(keyword.value, name)) is not None:
            return value
    return None


def field_line(call: ast.Call, path: Path_, aliases: dict[str, str] | None = None) -> int:
    """The line of the deepest part of a field path written inline in a call; the call's line if none is."""
    node: ast.expr = call
    line = call.lineno
    for part in path:
        if isinstance(part, int):
            if isinstance(node, ast.Tuple | ast.List) and part < len(node.elts):
                node = node.elts[part]
            elif not (isinstance(node, ast.Call) and part == 0):  # one item given where a tuple is expected
                break
        elif isinstance(node, ast.Call):
            found = _keyword(node, (aliases or {}).get(part, part)) or _keyword(node, part)
            if found is None:
                break
            node = found
        elif isinstance(node, ast.Dict):  # an entry of a dict field written inline: {"loki": 3100}
            entry = next((key for key in node.keys if isinstance(key, ast.Constant) and key.value == part), None)
            if entry is None:
                break
            node = entry
        else:
            break
        line = node.lineno
    return line


def locate(definition: Definition, *path: str | int) -> Location:
    """Where a definition's field is written (its own location when the field cannot be found)."""
    site: Site | None = definition.site
    if site is None or not path or site[0].co_filename != definition.location.file:  # derived by obsgen
        return definition.location
    call = call_at(*site)
    if call is None:
        return definition.location
    return Location(definition.location.file, field_line(call, path, aliases(type(definition))))


def newest_first(definitions: Sequence[Definition]) -> list[Definition]:
    """Definitions by how recently their file was edited, newest first: of two definitions of one name, the one
    just written is usually the mistake, so a duplicate is reported there."""
    def edited(definition: Definition) -> tuple[float, Location]:
        try:
            return os.path.getmtime(definition.location.file), definition.location
        except OSError:
            return 0.0, definition.location
    return sorted(definitions, key=edited, reverse=True)


def aliases(kind: type[Definition]) -> dict[str, str]:
    """Field names to the keyword users write (for_ is written `for`)."""
    return {name: info.alias for name, info in kind.model_fields.items() if info.alias}


def module_assignments(path: Path) -> dict[str, int]:
    """The names a module's top-level statements assign (`NAME = ...`, `NAME: T = ...`, `A, B = ...`, also under a
    top-level if, try, with or for), each at its first line; {} for a file that cannot be read or parsed (its own
    problem is reported where it is imported)."""
    try:
        body = ast.parse(path.read_bytes()).body
    except (OSError, SyntaxError, ValueError):
        return {}
    found: dict[str, int] = {}
    pending: list[ast.stmt] = list(reversed(body))
    while pending:
        node = pending.pop()
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for name in ast.walk(target) if isinstance(target, ast.AST) else ():
                if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                    found.setdefault(name.id, node.lineno)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nested = [getattr(node, field, []) for field in ("body", "orelse", "finalbody")]
            nested += [handler.body for handler in getattr(node, "handlers", [])]
            pending += reversed([statement for block in nested for statement in block])
    return found
