"""Reading files that may be hostile (files to import, the exporter's configuration, out/ given to check or apply):
bounded in size, nesting and aliases, linear in time.

Its bytes are read by core.bounded_read (regular files only, within a bound). A YAML alias bomb is a few hundred
bytes whose aliases multiply into billions of values when the data is walked, so aliases are refused (no file
obsgen writes or configures has a use for them), except in files to import: real rule files anchor shared labels
(`labels: &common {...}`, `labels: *common`, `<<: *common`), so there the values aliases add, counted as the events
stream by (each anchored value's size once, each alias adding it), may be as many as the file writes or
MAX_ALIASED, not more; an alias inside the value it names (a value holding itself) is refused.
libyaml's composer recurses in C (100,000 nested flow sequences overflow the stack) and its scanner slows with
depth, so aliases and depth are checked on the parser's events, which libyaml produces without recursion,
stopping at the first breach before the composer sees anything. JSON's depth is counted on its brackets outside
strings, exact for JSON.

An integer of more digits than Python converts (sys.get_int_max_str_digits(), 4300: converting one takes time
quadratic in its length) is refused at its line, in YAML and JSON, where int() alone names no place.

A key written twice in a YAML mapping or a JSON object is refused at its line, in every file read here, instead of
the last one silently winning: Go's yaml.v3 (Prometheus, Alertmanager) refuses it too, and whoever wrote it twice
cannot have meant both.

Files to import are read as the Go programs that own them read them: core.yaml_as_written.

A reader of one file (out/, a state directory, a sink's record, a side of a diff) takes read_yaml_document,
read_json_file or json_lines: the file read within a bound and parsed within the ones above, any failure one
FileError whose text is `file:line: why`, which the CLI prints as it is.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, Event, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.reader import ReaderError

from generator.core.bounded_read import TooLarge, read_bounded

MAX_DEPTH = 64  # a Grafana dashboard nests about 12 levels, a PrometheusRule 8, the exporter's configuration 5
# Values aliases may add to a file to import, when it writes fewer: ~50 times the aliased labels of kube-prometheus'
# largest rule file (its 375 rules each aliasing 4 labels would add 1,875); a billion laughs adds ~10^9.
MAX_ALIASED = 100_000
MAX_FILE_BYTES = 16 * 2**20  # out/'s largest file (a rules file, a dashboard) is about 0.1 MiB, a state file 4 KiB

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
JSON_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+'
"""A JSON string up to its closing quote, which follows (`"` alone completes it) unless it is never closed: then
this is where every later start in it would fail too (an escaped quote inside it opens a string on the same escape
pairs), so a scan matches it whole rather than try each of its quotes anew, reading to the end each time: an
unclosed `"\\"\\"...` of 40k characters took 4.6 s, 1 MiB about an hour. JSON's parser fails at the first such
string, so what follows it is never parsed, and never needs a bound."""
_JSON_STRINGS_AND_BRACKETS = re.compile(JSON_STRING + r'"?|[\[\]{}]')
_JSON_STRINGS_AND_INTEGERS = re.compile(JSON_STRING + r'"?|(?<![\w.+-])-?(\d+)(?![\w.])')
JSON_KEYS_AND_BRACKETS = re.compile(f'({JSON_STRING}")\\s*:|{JSON_STRING}"?|[\\[\\]{{}}]')
"""A JSON text's keys (group 1), other strings and brackets, in linear time: the scan of its objects' keys."""


class ReadError(ValueError):
    """The file is beyond what obsgen reads; the message says which bound (and the line, when known)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def error_line(error: Exception) -> int:
    """The line (1-based) of the file an error of reading points at; 0 for the whole file."""
    if isinstance(error, ReadError):
        return error.line
    return error.lineno if isinstance(error, json.JSONDecodeError) else 0


def _yaml_error(error: yaml.YAMLError) -> ReadError:
    """PyYAML's error as one line at its line (its text spans several, with the position)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        words = ": ".join(part for part in (error.context, error.problem) if part)
        return ReadError(words or "not YAML", mark.line + 1 if mark is not None else 0)
    return ReadError(" ".join(str(error).split()))


def _too_many_digits(digits: int) -> str:
    return (f"an integer of {digits} digits, more than the {sys.get_int_max_str_digits()} Python converts; write "
            "fewer digits, or quote it to keep it as text")


def _too_deep(line: int) -> ReadError:
    return ReadError(f"nested deeper than {MAX_DEPTH} levels; no file obsgen reads needs that", line)


def _line(event: Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def _aliased(event: AliasEvent, sizes: dict[str, int], written: int, aliased: int) -> int:
    """The values aliases add once this one is counted; ReadError at its line beyond the bound."""
    if event.anchor not in sizes:  # an anchor not yet closed: the value would hold itself (or none is defined,
        raise ReadError(f"the alias *{event.anchor} is inside the value it names (or no value is anchored so "  # which
                        "before it): write the value out", _line(event))  # the composer would say less clearly)
    aliased += sizes[event.anchor]
    if aliased > max(written, MAX_ALIASED):
        raise ReadError(f"aliases here expand to more than {max(written, MAX_ALIASED)} values, more than the file "
                        f"writes (*{event.anchor} alone is {sizes[event.anchor]}): an alias bomb? write the values "
                        "out", _line(event))
    return aliased


def _check_events(text: str, aliases: bool = False) -> None:
    """Refuse the first collection nested beyond MAX_DEPTH and the first alias (with `aliases`, the first beyond
    the bound on what they add), at its line."""
    parser = _LOADER(text)
    depth = written = aliased = 0  # values written, values aliases add
    sizes: dict[str, int] = {}  # each closed anchor's value: how many values it is, its aliases expanded
    open_anchors: list[tuple[str | None, int]] = []  # each open collection's anchor, and the count at its start
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, AliasEvent):
                if not aliases:
                    raise ReadError(f"an alias reuses the value anchored as &{event.anchor}; YAML aliases are "
                                    "refused: write the value out", _line(event))
                aliased = _aliased(event, sizes, written, aliased)
            elif isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(_line(event))
                open_anchors.append((event.anchor, written + aliased))
                written += 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
                anchor, start = open_anchors.pop()
                if anchor is not None:
                    sizes[anchor] = written + aliased - start
            elif isinstance(event, ScalarEvent):
                written += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
    finally:
        parser.dispose()


class BoundedLoader(_LOADER):  # type: ignore[misc]
    """libyaml's safe loader refusing a key written twice in a mapping (at the second one's line)."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *common`: its keys yield to those written
                    continue
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, Hashable) and key in seen:
                    raise ConstructorError(None, None, f"mapping key {str(key)!r} is written twice (first at line "
                                                       f"{seen[key]}); the last one would silently win",
                                           key_node.start_mark)
                if isinstance(key, Hashable):
                    seen[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        """YAML 1.1's integer, or a ConstructorError at its line when it has more digits than Python converts."""
        try:
            return _LOADER.yaml_constructors["tag:yaml.org,2002:int"](self, node)
        except ValueError:
            digits = sum(character.isdigit() for character in node.value)
            raise ConstructorError(None, None, _too_many_digits(digits), node.start_mark) from None


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)


def load_yaml(text: str, loader: Any = BoundedLoader, aliases: bool = False) -> list[Any]:
    """The documents of a YAML text, within the bounds above (aliases refused, or bounded: `aliases`), no key
    written twice."""
    try:
        _check_events(text, aliases)
        return list(yaml.load_all(text, Loader=loader))
    except ReaderError as error:  # a character YAML does not allow (NUL...): at its line, not its offset
        first = text.find(chr(error.character))  # (libyaml's offset counts UTF-8 bytes, PyYAML's characters)
        raise ReadError(f"unacceptable character #x{error.character:04x}: {error.reason}",
                        text.count("\n", 0, first) + 1 if first >= 0 else 0) from None
    except yaml.YAMLError as error:
        raise _yaml_error(error) from None


def yaml_mapping(text: str) -> dict[str, Any]:
    """The one YAML mapping a text holds ({} when it holds nothing), within the bounds above; ReadError otherwise
    (at line 1 when it holds another value or several documents)."""
    documents = load_yaml(text)
    found = documents[0] if documents else None
    if not isinstance(found, dict | None) or len(documents) > 1:
        raise ReadError("not one YAML mapping", 1)
    return found or {}


class _KeyTwice(Exception):
    """A JSON object holds a key twice (raised by the parser's hook, located in the text afterwards)."""


class _TooManyDigits(Exception):
    """A JSON integer has more digits than Python converts (raised by the parser's hook, located afterwards)."""


def _json_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _TooManyDigits from None


def _too_long_integer(text: str) -> ReadError:
    """The first integer of more digits than Python converts in a JSON text, at its line (strings skipped; a number
    with a fraction or an exponent is a float, which has no such limit)."""
    longest = sys.get_int_max_str_digits()
    for match in _JSON_STRINGS_AND_INTEGERS.finditer(text):
        if match[1] is not None and len(match[1]) > longest:
            return ReadError(_too_many_digits(len(match[1])), text.count("\n", 0, match.start()) + 1)
    return ReadError(_too_many_digits(longest + 1))


def _one_of_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _KeyTwice
    return found


def _key_twice(text: str) -> ReadError:
    """The first key written twice in one object of a JSON text, at the second one's line. Only run once the parser
    found one: the parser's hook knows no position."""
    objects: list[dict[str, int] | None] = []  # keys seen (with their line) in each open object; None in a list
    line, last = 1, 0  # lines counted from the last key on, not from the start at each key
    for match in JSON_KEYS_AND_BRACKETS.finditer(text):
        token = match[0]
        if token in ("{", "["):
            objects.append({} if token == "{" else None)
        elif token in ("}", "]"):
            objects.pop()
        elif match[1] is not None and objects and objects[-1] is not None:
            line, last = line + text.count("\n", last, match.start()), match.start()
            key = json.loads(match[1])
            if key in objects[-1]:
                return ReadError(f"key {key!r} is written twice in one object (first at line {objects[-1][key]}); "
                                 "the last one would silently win", line)
            objects[-1][key] = line
    return ReadError("a key is written twice in one object; the last one would silently win")


def load_json(text: str, made: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Any:
    """A JSON text parsed, within the nesting bound, no key written twice in an object (each object then given to
    `made`, which returns what the parse holds instead: core.lined)."""
    depth = 0
    for match in _JSON_STRINGS_AND_BRACKETS.finditer(text):
        if match[0] in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(text.count("\n", 0, match.start()) + 1)
        elif match[0] in ("]", "}"):
            depth -= 1
    try:
        hook = _one_of_each if made is None else lambda pairs: made(_one_of_each(pairs))
        return json.loads(text, object_pairs_hook=hook, parse_int=_json_int)
    except _KeyTwice:
        raise _key_twice(text) from None
    except _TooManyDigits:
        raise _too_long_integer(text) from None


class FileError(ReadError):
    """A file that cannot be read within the bounds; its text is `file:line: why` (`file: why` for the whole file)."""

    def __init__(self, path: Path | str, reason: str, line: int = 0) -> None:
        self.where = f"{path}{f':{line}' if line else ''}"
        """`file:line`, or `file` when the whole file is at fault."""
        self.reason = reason
        super().__init__(f"{self.where}: {reason}", line)


def read_file_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most max_bytes (core.bounded_read); FileError otherwise."""
    try:
        data = read_bounded(path, max_bytes)
    except TooLarge as error:
        raise FileError(path, f"{error.size} is over the limit of {error.limit} obsgen reads from this file") from None
    except OSError as error:
        raise FileError(path, f"cannot read it: {error.strerror or error}") from None
    except ValueError as error:  # a directory, a FIFO, a device
        raise FileError(path, str(error)) from None
    return decoded(path, data)


def utf8_text(data: bytes) -> str:
    """Bytes as UTF-8 text; ReadError at the line of the first byte that is not, naming it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReadError(f"not UTF-8 text ({error.reason}: byte 0x{data[error.start]:02x})",
                        data.count(b"\n", 0, error.start) + 1) from None


def decoded(path: Path, data: bytes) -> str:
    """A file's bytes as UTF-8 text; FileError at the line of the first byte that is not."""
    try:
        return utf8_text(data)
    except ReadError as error:
        raise FileError(path, str(error), error.line) from None


def _parsed(path: Path, parse: Callable[[str], Any], text: str, first_line: int = 1) -> Any:
    try:
        return parse(text)
    except json.JSONDecodeError as error:
        raise FileError(path, f"not JSON: {error.msg} (column {error.colno})", error.lineno + first_line - 1) from None
    except ValueError as error:  # ReadError at its line
        line = error_line(error)
        raise FileError(path, str(error), line + first_line - 1 if line else 0) from None


def yaml_document(path: Path, text: str) -> Any:
    """The one document of a YAML file's text (None when it holds none), within the bounds, no key written twice;
    FileError naming path otherwise."""
    documents = _parsed(path, load_yaml, text)
    if len(documents) > 1:
        raise FileError(path, f"{len(documents)} YAML documents where one is read")
    return documents[0] if documents else None


def read_yaml_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The one document of a YAML file (yaml_document) read within max_bytes; FileError otherwise."""
    return yaml_document(path, read_file_text(path, max_bytes))


def json_document(path: Path, text: str) -> Any:
    """A JSON file's text parsed within the bounds, no key written twice in an object; FileError naming path
    otherwise."""
    return _parsed(path, load_json, text)


def read_json_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """A JSON file (json_document) read within max_bytes; FileError otherwise."""
    return json_document(path, read_file_text(path, max_bytes))


def json_lines(path: Path, data: bytes, first_line: int = 1) -> list[Any]:
    """Each complete line (ending in a newline) of a piece of a JSON Lines file, its first line `first_line`, parsed
    as load_json parses a file; a last line still being written is left for the next read. FileError at the first
    line that is not JSON or not UTF-8."""
    lines = decoded(path, data[:data.rfind(b"\n") + 1]).split("\n")[:-1]
    return [_parsed(path, load_json, line, number) for number, line in enumerate(lines, first_line)]
