"""Reading files that may be hostile (files to import, the exporter's configuration, out/ given to check or apply):
bounded in size, nesting and aliases, linear in time.

Its bytes are read by core.bounded_read (regular files only, within a bound). A YAML alias bomb is a few hundred
bytes whose aliases multiply into billions of values when the data is walked, so aliases are refused (no file
obsgen reads has a use for them).
libyaml's composer recurses in C (100,000 nested flow sequences overflow the stack) and its scanner slows with
depth, so aliases and depth are checked on the parser's events, which libyaml produces without recursion,
stopping at the first breach before the composer sees anything. JSON's depth is counted on its brackets outside
strings, exact for JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, Event

MAX_DEPTH = 64  # a Grafana dashboard nests about 12 levels, a PrometheusRule 8, the exporter's configuration 5

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_JSON_STRINGS_AND_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


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


def _too_deep(line: int) -> ReadError:
    return ReadError(f"nested deeper than {MAX_DEPTH} levels; no file obsgen reads needs that", line)


def _line(event: Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def _check_events(text: str) -> None:
    """Refuse the first alias and the first collection nested beyond MAX_DEPTH, at its line."""
    parser = _LOADER(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, AliasEvent):
                raise ReadError(f"an alias reuses the value anchored as &{event.anchor}; YAML aliases are "
                                "refused: write the value out", _line(event))
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(_line(event))
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()


def load_yaml(text: str) -> list[Any]:
    """The documents of a YAML text, within the bounds above."""
    try:
        _check_events(text)
        return list(yaml.load_all(text, Loader=_LOADER))
    except yaml.YAMLError as error:
        raise _yaml_error(error) from None


def load_json(text: str) -> Any:
    """A JSON text parsed, within the nesting bound."""
    depth = 0
    for match in _JSON_STRINGS_AND_BRACKETS.finditer(text):
        if match[0] in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(text.count("\n", 0, match.start()) + 1)
        elif match[0] in ("]", "}"):
            depth -= 1
    return json.loads(text)
