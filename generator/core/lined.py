"""Mappings that know where they are in the file read (Lined): what core.yaml_as_written reads from pyyaml's node
marks, and lined_json from a JSON text, for an error about a value of an imported file to name its line.

JSON's parser knows no positions, so lined_json scans the text once (with core.untrusted's scan of keys, strings
skipped) for each object's line and its keys', in the order the parser finishes the objects (each at its closing
brace): the parser's hook takes them in that order. Linear in the text, within load_json's bounds.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
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
    flows: dict[Any, tuple[int, list[int]]]  # key -> where the quoted scalar it holds is (YAML only): the line of
    # its opening quote, and the offset in the string where each line of the file after that one starts (flow_breaks)

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


def flow_line(value: Any, key: Any) -> tuple[int, list[int]] | None:
    """Where the quoted scalar a mapping read by load_yaml_as_written holds at `key` is written (see Lined.flows);
    None when it holds none."""
    return value.flows.get(key) if isinstance(value, Lined) and hasattr(value, "flows") else None


LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks, as libyaml counts lines
ESCAPED_DIGITS = {"x": 2, "u": 4, "U": 8}  # a double-quoted scalar's escapes of a code point: hex digits


def flow_breaks(source: str) -> list[int]:
    """The offset in a quoted YAML scalar's string (written `source`, quotes included) at which each of its lines
    after the first starts, as YAML folds them (a line break is a space, a blank line a newline, an escaped break
    nothing; indentation, `''` and escapes count as the characters they make): a JSON text held so (a ConfigMap's
    dashboard as kubectl writes it) has its objects found at the file's lines."""
    double, body = source.startswith('"'), source[1:-1]
    starts: list[int] = []
    made = index = 0

    def after_breaks(index: int) -> tuple[int, int, str]:
        """(index after the line breaks from index on and the indentation after each, how many, the first)."""
        count, first = 0, ""
        while (found := LINE_BREAK.match(body, index)) is not None:
            count, first = count + 1, first or found[0]
            index = found.end()
            while index < len(body) and body[index] in " \t":
                index += 1
        return index, count, first

    while index < len(body):
        character = body[index]
        if double and character == "\\":
            escaped = body[index + 1:index + 2]
            if LINE_BREAK.match(escaped):  # an escaped break: nothing, then a newline for each blank line
                index, count, _ = after_breaks(index + 1)
                made += count - 1
                starts += [made] * count
                continue
            made, index = made + 1, index + 2 + ESCAPED_DIGITS.get(escaped, 0)
        elif not double and body.startswith("''", index):
            made, index = made + 1, index + 2
        elif character in " \t" or LINE_BREAK.match(character):
            spaces = index
            while spaces < len(body) and body[spaces] in " \t":
                spaces += 1
            if not LINE_BREAK.match(body, spaces):
                made, index = made + spaces - index, spaces
                continue
            index, count, first = after_breaks(spaces)  # folded: a space, or a newline for each blank line
            made += (count - 1 or 1) if first in ("\r\n", "\r", "\n", "\x85") else count
            starts += [made] * count
        else:
            made, index = made + 1, index + 1
    return starts


def _objects_as_closed(text: str, offset: int, starts: list[int] | None) -> list[tuple[int, dict[str, int]]]:
    """(line, each key's line) of each object of a JSON text, in the order their closing braces come; its lines
    counted from offset + 1 (by `starts`, the offsets where each following line starts, when given)."""
    closed: list[tuple[int, dict[str, int]]] = []
    open_: list[tuple[int, dict[str, int]] | None] = []  # None: an array
    line, last = offset + 1, 0
    for match in JSON_KEYS_AND_BRACKETS.finditer(text):
        if starts is None:
            line, last = line + text.count("\n", last, match.start()), match.start()
        else:
            line = offset + 1 + bisect_right(starts, match.start())
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


def lined_json(text: str, offset: int = 0, starts: list[int] | None = None) -> Any:
    """A JSON text parsed as load_json parses it, each object a Lined (its lines those of the text, after
    `offset` lines of the file holding it; or, held in a quoted YAML scalar, those its `starts` say: flow_breaks)."""
    closed = iter(_objects_as_closed(text, offset, starts))

    def lined(found: dict[str, Any]) -> Lined:
        made = Lined(found)
        made.line, made.lines = next(closed, (0, {}))
        return made

    return load_json(text, lined)
