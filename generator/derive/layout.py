"""Automatic placement on Grafana's 24-column grid: rows stacked, panels left to right, never overlapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import ceil

from generator.model.panels import MAX_HEIGHT, MAX_WIDTH, Panel, PanelKind, Row

# (width, height) per visualisation: numbers side by side, charts two to a line, tables full width.
DEFAULT_SIZE = {
    PanelKind.STAT: (6, 5),
    PanelKind.GAUGE: (6, 5),
    PanelKind.TIMESERIES: (12, 8),
    PanelKind.BARCHART: (12, 8),
    PanelKind.HEATMAP: (12, 8),
    PanelKind.STATE_TIMELINE: (12, 8),
    PanelKind.TABLE: (24, 8),
    PanelKind.TEXT: (24, 4),
    PanelKind.BAR_GAUGE: (12, 8),
    PanelKind.PIE_CHART: (8, 8),
}
ROW_HEIGHT = 1
CELL_PX, GAP_PX = 30, 8
"""A grid row is 30 px, with 8 px between rows: h rows are 38 h - 8 px."""
TIMELINE_ROW_PX = 18
"""A state timeline row where Grafana's 12 px names do not touch (bars at rowHeight 0.9)."""
TIMELINE_FRAME_PX = 100
"""A state timeline's title, time axis and legend."""
MARKDOWN_ROW_PX = 30
"""A row of a markdown table in a Grafana text panel: a 14 px line at line-height 1.5, 4 px padding above and below,
a 1 px border."""
MARKDOWN_FRAME_PX = 48
"""A text panel's title bar (32 px) and its content's 8 px padding above and below."""
MARKDOWN_MAX_HEIGHT = 20
"""Grid rows a markdown table grows to at most (752 px, 23 table rows, about a screen); a longer one scrolls."""
Rows = Callable[[Panel], int | None]


@dataclass(frozen=True)
class Box:
    """A gridPos: x and w in columns, y and h in grid rows."""

    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: Box) -> bool:
        """Whether two boxes share any cell."""
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


@dataclass(frozen=True)
class Placed:
    """A row header or a panel with its box."""

    item: Row | Panel
    box: Box


def timeline_height(rows: int) -> int:
    """Grid rows a state timeline of this many rows needs to name each legibly (at least its kind's default)."""
    pixels = rows * TIMELINE_ROW_PX + TIMELINE_FRAME_PX
    return min(MAX_HEIGHT, max(DEFAULT_SIZE[PanelKind.STATE_TIMELINE][1], ceil((pixels + GAP_PX) / (CELL_PX + GAP_PX))))


def markdown_table_height(rows: int) -> int:
    """Grid rows a text panel needs to show a markdown table of this many rows and its header without scrolling
    (each row one line), at least a stat's default height (5) and at most MARKDOWN_MAX_HEIGHT: the Alert Rules
    table of a dashboard with 3 alerts left half its 6 rows empty, one with 139 scrolled past its 5th."""
    pixels = (rows + 1) * MARKDOWN_ROW_PX + MARKDOWN_FRAME_PX
    return min(MARKDOWN_MAX_HEIGHT, max(DEFAULT_SIZE[PanelKind.STAT][1], ceil((pixels + GAP_PX) / (CELL_PX + GAP_PX))))


def size(panel: Panel, rows: int | None = None) -> tuple[int, int]:
    """Width and height of a panel: the user's, else its kind's default, or for a state timeline whose rows are
    known, the height that shows them."""
    width, height = DEFAULT_SIZE[panel.kind]
    if rows is not None and panel.kind is PanelKind.STATE_TIMELINE:
        height = timeline_height(rows)
    return panel.width or width, panel.height or height


def _flow(panels: Sequence[Panel], top: int, rows: Rows) -> tuple[list[Placed], int]:
    """Panels left to right from y=top, wrapping at 24 columns; returns them and the first free y."""
    placed: list[Placed] = []
    x, y, line = 0, top, 0
    for panel in panels:
        width, height = size(panel, rows(panel))
        if x + width > MAX_WIDTH:
            x, y, line = 0, y + line, 0
        placed.append(Placed(panel, Box(x, y, width, height)))
        x, line = x + width, max(line, height)
    return placed, y + line


def layout(sections: Sequence[tuple[Row | None, Sequence[Panel]]], rows: Rows = lambda panel: None) -> list[Placed]:
    """Every row header and panel in reading order; a collapsed row's panels follow it but take no space. `rows`
    gives the rows a panel will show, where known."""
    placed: list[Placed] = []
    y = 0
    for row, panels in sections:
        if row is not None:
            placed.append(Placed(row, Box(0, y, MAX_WIDTH, ROW_HEIGHT)))
            y += ROW_HEIGHT
        inner, bottom = _flow(panels, y, rows)
        placed.extend(inner)
        if row is None or not row.collapsed:
            y = bottom
    return placed
