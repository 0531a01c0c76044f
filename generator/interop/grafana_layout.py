"""Imported panels where their dashboard placed them.

obsgen's layout (generator.derive.layout) flows panels by their sizes in reading order: a dashboard placing two
short panels stacked beside a tall one, or leaving a gap in a line, would show its panels elsewhere. Such a
dashboard keeps every panel's and row's gridPos as written, in extra=, so it shows as it did (Grafana compacts the
grid on load as it compacted the original); one obsgen's layout places the same is left to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from generator.derive.layout import Box, layout
from generator.interop.notes import Notes
from generator.model import Panel, Row
from generator.model.panels import MAX_HEIGHT, MAX_WIDTH

Item = TypeVar("Item", Panel, Row)


def _box(grid: Any) -> Box | None:
    """A gridPos as written, if obsgen's grid can hold it as it is."""
    if not isinstance(grid, dict):
        return None
    values = [grid.get(key) for key in ("x", "y", "w", "h")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        return None
    box = Box(*values)
    return box if 1 <= box.w and box.x + box.w <= MAX_WIDTH and 1 <= box.h <= MAX_HEIGHT else None


def _kept(item: Item, box: Box) -> Item:
    return item.model_copy(update={"extra": {**item.extra, "gridPos": {"h": box.h, "w": box.w, "x": box.x,
                                                                         "y": box.y}}})


def as_written(top: tuple[Panel, ...], rows: tuple[Row, ...], written: list[Any], wheres: dict[str, str],
               notes: Notes) -> tuple[tuple[Panel, ...], tuple[Row, ...]]:
    """The panels and rows (in reading order: `written` holds their gridPos so, each row's panels after it) with
    their gridPos as written where obsgen's layout would place any of them elsewhere; as they are if it would not,
    or if any gridPos is missing or off the grid."""
    boxes = [_box(grid) for grid in written]
    placed = layout(([(None, top)] if top else []) + [(row, row.panels) for row in rows])
    if not boxes or len(boxes) != len(placed) or any(box is None for box in boxes):
        return top, rows
    moved = [p.item.title for p, box in zip(placed, boxes, strict=True) if p.box != box]
    if not moved:
        return top, rows
    notes.add("panels kept where the dashboard placed them (gridPos in extra=): obsgen's layout, by size in reading "
              "order, would move them", ", ".join(repr(title) for title in moved), at=wheres.get(moved[0]))
    kept: Iterator[Box] = iter(box for box in boxes if box is not None)
    top = tuple(_kept(panel, next(kept)) for panel in top)
    found = []
    for row in rows:
        box = next(kept)
        panels = tuple(_kept(panel, next(kept)) for panel in row.panels)
        found.append(_kept(row, box).model_copy(update={"panels": panels}))
    return top, tuple(found)
