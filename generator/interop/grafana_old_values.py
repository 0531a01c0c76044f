"""What the translators of removed Grafana panel types share: the old JSON's values in the new vocabulary.

Each translator (generator.interop.grafana_successors, grafana_graph_successor, grafana_table_successor)
takes the old panel and returns the successor's settings (type, fieldConfig, options, transformations) and
the old keys it translated.
"""

from __future__ import annotations

from typing import Any

Translated = tuple[dict[str, Any], set[str]]
REDUCERS = {"avg": "mean", "current": "lastNotNull", "total": "sum", "min": "min", "max": "max", "first": "first",
            "last": "last", "delta": "delta", "diff": "diff", "range": "range", "count": "count", "mean": "mean",
            "sum": "sum", "lastNotNull": "lastNotNull"}


def number(value: Any) -> float | int | None:
    """A number from old JSON, where axes kept "0" and "100" as strings; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        parsed = float(str(value))
    except ValueError:
        return None
    return int(parsed) if parsed.is_integer() else parsed


def present(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def colour_overrides(aliases: dict[str, str]) -> list[dict[str, Any]]:
    return [{"matcher": {"id": "byName", "options": alias},
             "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": colour}}]}
            for alias, colour in aliases.items() if colour]
