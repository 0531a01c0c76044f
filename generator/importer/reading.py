"""Reading files to import, which may be hostile: core.untrusted's bounds, with import's own limits (a file's size,
which --max-size raises; the size of all the files of one import, which --max-total raises; the rules and panels
of a file and of the import) and the shape checks its readers share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.bounded_read import TooLarge, read_bounded
from generator.core.lined import block_line, flow_line, item_line, line_of, lined_json
from generator.core.untrusted import ReadError, error_line, load_json, utf8_text
from generator.core.yaml_as_written import load_yaml_as_written, typed

__all__ = ["MAX_BYTES", "MAX_OBJECTS", "MAX_TOTAL_BYTES", "MAX_TOTAL_OBJECTS", "Budget", "ReadError", "block_line",
           "check_objects", "error_line", "flow_line", "item_line", "line_of", "lined_json", "load_json",
           "load_yaml_as_written", "mapping", "mapping_at", "notes_written", "read_text", "sequence", "type_name",
           "typed"]

MAX_BYTES = 16 * 1024 * 1024  # kube-prometheus' largest rule file is 0.2 MiB, its largest dashboard 0.1 MiB
# Rules, or dashboards and their panels, of one file. Each costs 10-15 KB once converted, so the 16 MiB above
# could hold ~250,000 (GBs); kube-prometheus' largest file holds 375 (33 dashboards, 340 panels and rows).
MAX_OBJECTS = 10_000
# One import holds every file's parsed and converted objects until its modules are written: without a bound on all
# of them, a directory of 1,000 files each within the bounds above is 16 GiB of text or 10 million objects.
# kube-prometheus' rules and dashboards together are 1.2 MiB and 1,327 objects (tests/data/corpus 1.2 MiB, 1,479).
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_TOTAL_OBJECTS = 4 * MAX_OBJECTS  # ~0.5 GB converted


@dataclass
class Budget:
    """What one import may read: each file's size, and the sizes and objects of all its files so far."""

    max_bytes: int = MAX_BYTES
    max_total: int = MAX_TOTAL_BYTES
    read: int = 0
    objects: int = 0


def read_text(path: Path, budget: Budget | None = None) -> str:
    """The UTF-8 text of a regular file within the budget (core.bounded_read: a device or FIFO is refused unread;
    no more is read than the budget has left). OSError, or ReadError saying which bound (or at the line of the
    first byte that is not UTF-8)."""
    budget = budget or Budget()
    bound = min(budget.max_bytes, budget.max_total - budget.read)
    try:
        data = read_bounded(path, bound)
    except TooLarge as error:
        if bound < budget.max_bytes:
            raise ReadError(f"with this file the import reads more than its limit of {budget.max_total / 2**20:g} MiB "
                            "for all its files together (raise it with --max-total, or import fewer files at a "
                            "time)") from None
        raise ReadError(f"{error.size} is over the import limit of {error.limit} (raise it with --max-size)") from None
    except ValueError as error:
        raise ReadError(str(error)) from None
    budget.read += len(data)
    return utf8_text(data)


def check_objects(count: int, what: str, budget: Budget | None = None) -> None:
    """ReadError when a file holds more rules or panels than obsgen imports from one, or brings the import's to
    more than it imports at once; `count` is the file's so far, taken from the budget's total when it passes."""
    if count > MAX_OBJECTS:
        raise ReadError(f"{count} {what}, more than the {MAX_OBJECTS} obsgen imports from one file (a real one holds "
                        "hundreds): split it")
    if budget is not None and budget.objects + count > MAX_TOTAL_OBJECTS:
        raise ReadError(f"with this file's {count} {what} the import holds more than the {MAX_TOTAL_OBJECTS} rules, "
                        "dashboards, variables, panels and queries obsgen imports at once: import fewer files at a "
                        "time")


def notes_written(notes: list[tuple[int, str]]) -> list[str]:
    """What an imported file's reader said, (line, text) each, as its module writes it: `line N: what` (a note on
    the whole file, or at a line unknown, without one)."""
    return [f"line {line}: {text}" if line else text for line, text in notes]


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


def mapping_at(owner: dict[Any, Any], key: str, what: str) -> dict[Any, Any]:
    """owner[key] when it is a mapping ({} when absent); ReadError at its line (line_of) otherwise."""
    try:
        return mapping(owner.get(key), what)
    except ValueError as error:
        raise ReadError(str(error), line_of(owner, key)) from None


def sequence(value: Any, what: str) -> list[Any]:
    """value when it is a list, [] when it is absent (None); ValueError saying what was expected otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list, got {type_name(value)}")
    return value
