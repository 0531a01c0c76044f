"""Reading files to import, which may be hostile: core.untrusted's bounds, with import's own size limit (which
--max-size raises) and the shape checks its readers share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.core.bounded_read import TooLarge, read_bounded
from generator.core.untrusted import ReadError, error_line, load_json, load_yaml_as_written, typed

__all__ = ["MAX_BYTES", "MAX_OBJECTS", "ReadError", "check_objects", "error_line", "load_json", "load_yaml_as_written",
           "mapping", "read_text", "sequence", "type_name", "typed"]

MAX_BYTES = 16 * 1024 * 1024  # kube-prometheus' largest rule file is 0.2 MiB, its largest dashboard 0.1 MiB
# Rules, or dashboards and their panels, of one file. Each costs 10-15 KB once converted, so the 16 MiB above
# could hold ~250,000 (GBs); kube-prometheus' largest file holds 375 (33 dashboards, 340 panels and rows).
MAX_OBJECTS = 10_000


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


def check_objects(count: int, what: str) -> None:
    """ValueError when a file holds more rules or panels than obsgen imports from one."""
    if count > MAX_OBJECTS:
        raise ReadError(f"{count} {what}, more than the {MAX_OBJECTS} obsgen imports from one file (a real one holds "
                        "hundreds): split it")


def type_name(value: Any) -> str:
    """The YAML type of a value as an error names it (int for `5`, which is read as its text)."""
    return type(typed(value)).__name__


def mapping(value: Any, what: str) -> dict[Any, Any]:
    """value when it is a mapping, {} when it is absent (None); ValueError saying what was expected otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a mapping, got {type_name(value)}")
    return value


def sequence(value: Any, what: str) -> list[Any]:
    """value when it is a list, [] when it is absent (None); ValueError saying what was expected otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list, got {type_name(value)}")
    return value
