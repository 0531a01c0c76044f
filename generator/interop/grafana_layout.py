"""Imported panels where their dashboard placed them.

obsgen's layout (generator.derive.layout) flows panels by their sizes in reading order: a dashboard placing two
short panels stacked beside a tall one, or leaving a gap in a line, would show its panels elsewhere. Such a
dashboard keeps every panel's and row's gridPos as written, in extra=, so it shows as it did; one Grafana shows
the same either way is left to obsgen's layout. Both are compared as Grafana shows them: its grid
(react-grid-layout, verticalCompact) floats each panel up, in order of y then x, until it would overlap one placed
before it, and pushes one overlapping below it; a collapsed row's panels are shown from under the row when opened.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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


class _Columns:
    """The grid rows taken in each column, as sorted disjoint spans (adjacent ones merged): what a box placed in
    some columns would overlap is found by bisection, not by comparing it with every box placed before."""

    def __init__(self) -> None:
        self.starts: list[list[int]] = [[] for _ in range(MAX_WIDTH)]
        self.ends: list[list[int]] = [[] for _ in range(MAX_WIDTH)]

    def below(self, box: Box) -> int:
        """The lowest bottom of a span above the box's top in its columns (0 if none)."""
        return max((ends[i - 1] for ends in self.ends[box.x:box.x + box.w] if (i := bisect_right(ends, box.y))),
                   default=0)

    def overlapped(self, box: Box) -> int | None:
        """The lowest bottom of the spans the box overlaps in its columns (every row above it overlaps one too), or
        None where it overlaps none."""
        found = None
        for starts, ends in zip(self.starts[box.x:box.x + box.w], self.ends[box.x:box.x + box.w], strict=True):
            first, last = bisect_right(ends, box.y), bisect_left(starts, box.y + box.h) - 1
            if first <= last:
                found = max(found or 0, ends[last])
        return found

    def take(self, box: Box) -> None:
        for starts, ends in zip(self.starts[box.x:box.x + box.w], self.ends[box.x:box.x + box.w], strict=True):
            first, last = bisect_left(ends, box.y), bisect_right(starts, box.y + box.h)  # overlapping or adjacent
            start = min([box.y, *starts[first:last]])
            end = max([box.y + box.h, *ends[first:last]])
            starts[first:last], ends[first:last] = [start], [end]


def _shown(boxes: list[Box]) -> list[Box]:
    """The boxes where Grafana's grid shows them (react-grid-layout's compact, vertical), in the order given: in
    order of y then x, each up to the lowest free row above it (no higher than the bottom of those placed before),
    then, while it overlaps any, down below them (to the first row free, as pushing it below each in turn does)."""
    columns = _Columns()
    shown: dict[int, Box] = {}
    bottom = 0
    for index in sorted(range(len(boxes)), key=lambda i: (boxes[i].y, boxes[i].x)):
        box = boxes[index]
        box = Box(box.x, min(box.y, bottom), box.w, box.h)
        if columns.overlapped(box) is None:
            box = Box(box.x, columns.below(box), box.w, box.h)
        while (end := columns.overlapped(box)) is not None:
            box = Box(box.x, end, box.w, box.h)
        columns.take(box)
        bottom = max(bottom, box.y + box.h)
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
