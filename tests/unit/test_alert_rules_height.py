"""A dashboard's Alert Rules table is as tall as the rows it shows: one line a row (30 px in Grafana's markdown
table), no half-empty panel for 3 alerts, no scrolling past the 5th of 12; up to a cap, past which it scrolls rather
than push the dashboard's last row screens down (kube-prometheus' 139 imported alerts on one overview)."""

from __future__ import annotations

import pytest

from generator.derive.dashboards import FIRING_TITLE, RULES_TITLE, ListedAlert, listed_sections
from generator.model import Dashboard, Panel, Row

GRID_PX = 30 + 8
"""A grid row of Grafana's: 30 px, 8 px between rows (h rows are 38 h - 8 px)."""
TABLE_ROW_PX, FRAME_PX = 30, 48


def _alerts(count: int) -> tuple[ListedAlert, ...]:
    return tuple(ListedAlert(f"Alert{n}", "warning", f"up{{job='j{n}'}} == 0", "5m", True, None,
                             f"https://runbooks.example/Alert{n}") for n in range(count))


def _heights(count: int) -> dict[str, int]:
    dashboard = Dashboard(name="Board", description="Tests the Alerts row.", rows=(Row(title="Main", panels=(
        Panel(title="Up", kind="stat", description="Targets up.", queries="up"),)),))
    sections = listed_sections(dashboard, _alerts(count), ("Watchdog",))
    return {panel.title: panel.height or 0 for section in sections for panel in section.panels}


@pytest.mark.parametrize("alerts", [1, 3, 12, 20])
def test_the_rules_table_is_as_tall_as_its_rows(alerts: int) -> None:
    heights = _heights(alerts)
    shown = heights[RULES_TITLE] * GRID_PX - 8
    needed = (alerts + 1) * TABLE_ROW_PX + FRAME_PX
    assert shown >= needed, (alerts, heights)
    assert heights[RULES_TITLE] == 5 or shown - needed < GRID_PX, (alerts, heights)  # not a grid row to spare
    assert heights[FIRING_TITLE] <= heights[RULES_TITLE]


def test_a_long_rules_table_scrolls_past_a_cap() -> None:
    assert _heights(139)[RULES_TITLE] == _heights(60)[RULES_TITLE] == 20
