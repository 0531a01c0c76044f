"""Mappings that know where they are in the file read (Lined): what core.yaml_as_written reads from pyyaml's node
marks, and lined_json from a JSON text, for an error about a value of an imported file to name its line.

JSON's parser knows no positions, so lined_json scans the text once (with core.untrusted's scan of keys, strings
skipped) for each object's line and its keys', in the order the parser finishes the objects (each at its closing
brace): the parser's hook takes them in that order. Linear in the text, within load_json's bounds.
"""

from __future__ import annotations

import json
from typing import Any

from generator.core.untrusted import JSON_KEYS_AND_BRACKETS, load_json


class Lined(dict[Any, Any]):
    """A mapping read by load_yaml_as_written or lined_json, with where it is: its first line and each key's
    (1-based), for an error about it or one of its values to name the line; read from YAML, also the line of each
    item of a list it holds (a scalar, `- 5`, has no mapping to know its line)."""

    line: int = 0
    lines: dict[Any, int]
    item_lines: dict[Any, list[int]]  # key -> the line of each item of the list it holds (YAML only)
    blocks: dict[Any, int]  # key -> the line of the `|` of the literal block it holds (YAML only): the block's
    # line n is the file's this + n, a literal block's lines being the file's

    def line_of(self, key: Any) -> int:
        """The line of a key (of its value's start when the key is not written: the mapping's)."""
        return self.lines.get(key, self.line) if hasattr(self, "lines") else self.line


def item_line(value: Any, key: Any, index: int, default: int = 0) -> int:
    """The line of item `index` of the list a mapping read by load_yaml_as_written holds at `key`, else the key's
    (else default)."""
    if not isinstance(value, Lined):
        return default
    lines = value.item_lines.get(key, []) if hasattr(value, "item_lines") else []
    return lines[index] if 0 <= index < len(lines) else value.line_of(key)


def line_of(value: Any, key: Any = None, default: int = 0) -> int:
    """The line of a mapping read by load_yaml_as_written or lined_json (of one of its keys, given), else default."""
    if not isinstance(value, Lined):
        return default
    return value.line if key is None else value.line_of(key)


def block_line(value: Any, key: Any) -> int | None:
    """The line of the `|` of the literal block scalar a mapping read by load_yaml_as_written holds at `key` (a
    text held so, JSON in a ConfigMap, has its lines after it); None when it holds none."""
    return value.blocks.get(key) if isinstance(value, Lined) and hasattr(value, "blocks") else None


def _objects_as_closed(text: str, offset: int) -> list[tuple[int, dict[str, int]]]:
    """(line, each key's line) of each object of a JSON text, in the order their closing braces come; its lines
    counted from offset + 1."""
    closed: list[tuple[int, dict[str, int]]] = []
    open_: list[tuple[int, dict[str, int]] | None] = []  # None: an array
    line, last = offset + 1, 0
    for match in JSON_KEYS_AND_BRACKETS.finditer(text):
        line, last = line + text.count("\n", last, match.start()), match.start()
        token = match[0]
        if token in ("{", "["):
            open_.append((line, {}) if token == "{" else None)
        elif token in ("}", "]"):
            ended = open_.pop() if open_ else None
            if ended is not None:
                closed.append(ended)
        elif match[1] is not None and open_ and open_[-1] is not None:
            open_[-1][1].setdefault(json.loads(match[1]), line)
    return closed


def lined_json(text: str, offset: int = 0) -> Any:
    """A JSON text parsed as load_json parses it, each object a Lined (its lines those of the text, after
    `offset` lines of the file holding it)."""
    closed = iter(_objects_as_closed(text, offset))

    def lined(found: dict[str, Any]) -> Lined:
        made = Lined(found)
        made.line, made.lines = next(closed, (0, {}))
        return made

    return load_json(text, lined)
