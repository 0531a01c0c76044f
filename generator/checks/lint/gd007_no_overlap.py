"""Panels do not overlap and fit the 24-column grid.

Anti-pattern: two panels with intersecting gridPos; Grafana pushes one down on load, so the saved
layout is not what viewers see, and a panel may end up hidden below a collapsed row.
Fix: let obsgen place panels (or give widths summing to at most 24 per line).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, title
from generator.derive.layout import Box
from generator.model.panels import MAX_WIDTH

CODE = "GD007"
NAME = "no-overlap"


def _box(panel: dict[str, Any]) -> Box:
    grid = panel.get("gridPos", {})
    return Box(int(grid.get("x", 0)), int(grid.get("y", 0)), int(grid.get("w", 0)), int(grid.get("h", 0)))


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Top-level grid items (panels and row headers) that intersect or leave the grid."""
    placed: list[tuple[dict[str, Any], Box]] = []
    for panel in dashboard.get("panels", []):
        box = _box(panel)
        if box.w <= 0 or box.h <= 0 or box.x < 0 or box.x + box.w > MAX_WIDTH:
            yield panel, f"gridPos {box} does not fit the {MAX_WIDTH}-column grid"
        for other, other_box in placed:
            if box.overlaps(other_box):
                yield panel, f"overlaps {title(other)}"
        placed.append((panel, box))
