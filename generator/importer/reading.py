"""Reading files to import, which may be hostile: bounded in size, nesting and aliases, linear in time.

A YAML alias bomb is a few hundred bytes whose aliases multiply into billions of values when the data is
walked, so aliases are refused (rule files and dashboards have no use for them). libyaml's composer recurses
in C (100,000 nested flow sequences overflow the stack) and its scanner slows with depth, so aliases and depth
are checked on the parser's events, which libyaml produces without recursion, stopping at the first breach
before the composer sees anything. JSON's depth is counted on its brackets outside strings, exact for JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, Event

from generator.core.bounded_read import TooLarge, read_bounded

MAX_BYTES = 16 * 1024 * 1024  # kube-prometheus' largest rule file is 0.2 MiB, its largest dashboard 0.1 MiB
MAX_DEPTH = 64  # a Grafana dashboard nests about 12 levels, a PrometheusRule 8

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_JSON_STRINGS_AND_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class ReadError(ValueError):
    """The file is beyond what import reads; the message says which bound and how to pass it."""

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


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most max_bytes (core.bounded_read: a device or FIFO is refused
    unread). OSError, UnicodeDecodeError, or ReadError saying which bound."""
    try:
        data = read_bounded(path, max_bytes)
    except TooLarge as error:
        raise ReadError(f"{error.size} is over the import limit of {error.limit} (raise it with --max-size)") from None
    except ValueError as error:
        raise ReadError(str(error)) from None
    return data.decode("utf-8")


def mapping(value: Any, what: str) -> dict[Any, Any]:
    """value when it is a mapping, {} when it is absent (None); ValueError saying what was expected otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a mapping, got {type(value).__name__}")
    return value


def sequence(value: Any, what: str) -> list[Any]:
    """value when it is a list, [] when it is absent (None); ValueError saying what was expected otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list, got {type(value).__name__}")
    return value


def _too_deep(line: int) -> ReadError:
    return ReadError(f"nested deeper than {MAX_DEPTH} levels; no rule file or dashboard needs that", line)


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
