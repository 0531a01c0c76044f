"""Imported panels where their dashboard placed them.

obsgen's layout (generator.derive.layout) flows panels by their sizes in reading order: a dashboard placing two
short panels stacked beside a tall one, or leaving a gap in a line, would show its panels elsewhere. Such a
dashboard keeps every panel's and row's gridPos as written, in extra=, so it shows as it did; one Grafana shows
the same either way is left to obsgen's layout. Both are compared as Grafana shows them: its grid
(react-grid-layout, verticalCompact) floats each panel up, in order of y then x, until it would overlap one placed
before it, and pushes one overlapping below it; a collapsed row's panels are shown from under the row when opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from generator.derive.layout import Box, Placed, layout
from generator.interop.notes import Notes
from generator.model import Panel, Row
from generator.model.panels import MAX_HEIGHT, MAX_WIDTH

Item = TypeVar("Item", Panel, Row)


def _box(grid: Any) -> Box | None:
    """A gridPos as written, if obsgen's grid can hold it as it is."""
    if not isinstance(grid, dict):
        return None
    values = [grid.get(key) for key in ("x", "y", "w", "h")]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool) and v >= 0]
    if len(numbers) != len(values):
        return None
    box = Box(*numbers)
    return box if box.w >= 1 and box.x + box.w <= MAX_WIDTH and 1 <= box.h <= MAX_HEIGHT else None


def _shown(boxes: list[Box]) -> list[Box]:
    """The boxes where Grafana's grid shows them (react-grid-layout's compact, vertical), in the order given."""
    placed: list[Box] = []
    shown: dict[int, Box] = {}
    for index in sorted(range(len(boxes)), key=lambda i: (boxes[i].y, boxes[i].x)):
        box = boxes[index]
        box = Box(box.x, min(box.y, max((b.y + b.h for b in placed), default=0)), box.w, box.h)
        if not any(box.overlaps(b) for b in placed):  # up a row at a time until it would overlap: to the lowest
            box = Box(box.x, max((b.y + b.h for b in placed if b.x < box.x + box.w and box.x < b.x + b.w  # below
                                  and b.y + b.h <= box.y), default=0), box.w, box.h)
        while (hit := next((b for b in placed if box.overlaps(b)), None)) is not None:
            box = Box(box.x, hit.y + hit.h, box.w, box.h)
        placed.append(box)
        shown[index] = box
    return [shown[i] for i in range(len(boxes))]


def _grids(placed: list[Placed]) -> list[list[int]]:
    """The indices of the items of each grid Grafana lays out apart: the dashboard's (its panels, rows and open rows'
    panels) first, then each collapsed row's panels."""
    grids: list[list[int]] = [[]]
    inside = False
    for index, item in enumerate(placed):
        if isinstance(item.item, Row):
            inside = item.item.collapsed
            grids[0].append(index)
            grids += [[]] if inside else []
        else:
            grids[-1 if inside else 0].append(index)
    return grids


def _moved(written: list[Box], placed: list[Placed]) -> list[int]:
    """The indices of the items Grafana shows elsewhere when placed by obsgen's layout than as written."""
    moved = []
    for number, grid in enumerate(_grids(placed)):
        ours, theirs = [placed[i].box for i in grid], [written[i] for i in grid]
        if number and grid:  # a collapsed row's panels: where they show under the opened row
            ours, theirs = _lifted(ours), _lifted(theirs)
        moved += [i for i, a, b in zip(grid, _shown(ours), _shown(theirs), strict=True) if a != b]
    return sorted(moved)


def _lifted(boxes: list[Box]) -> list[Box]:
    top = min(box.y for box in boxes)
    return [Box(box.x, box.y - top, box.w, box.h) for box in boxes]


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
    moved = [placed[i].item.title for i in _moved([box for box in boxes if box is not None], placed)]
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
