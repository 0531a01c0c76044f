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


def _calls(file: str) -> dict[tuple[int, int, int, int], ast.Call]:
    """Every call in a file by its exact source span (empty when the file cannot be read or parsed)."""
    return _calls_in(file, state(file))


@lru_cache(maxsize=64)
def _calls_in(file: str, _: tuple[int, int]) -> dict[tuple[int, int, int, int], ast.Call]:
    try:
        tree = ast.parse(Path(file).read_bytes(), file)
    except (OSError, SyntaxError, ValueError):
        return {}
    return {(node.lineno, node.end_lineno or node.lineno, node.col_offset, node.end_col_offset or 0): node
            for node in ast.walk(tree) if isinstance(node, ast.Call)}


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
    return _calls(code.co_filename).get(where) if where else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
        if keyword.arg is None and isinstance(keyword.value, ast.Dict):  # **{"for": "5m"}
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == name:
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
