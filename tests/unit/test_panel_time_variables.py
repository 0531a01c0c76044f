"""A panel's timeFrom and timeShift naming a variable: grafana PanelTimeRange.getTimeOverride interpolates them
(sceneGraph.interpolate, no format: glob) and then reads them; what does not read (an unknown variable, a value that
is no time) is "invalid time override" / "invalid timeshift" with the note, as before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.preview.dashboard_time import Window, clock, panel_time, timed
from generator.preview.queries import requests_for
from generator.preview.source import DashboardFile

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC).timestamp()
VARIABLES = [{"name": "span", "type": "custom", "query": "2h,6h", "current": {"value": "2h", "text": "2h"}},
             {"name": "back", "type": "textbox", "query": "1d"},
             {"name": "spans", "type": "custom", "query": "2h,6h", "multi": True,
              "current": {"value": ["2h", "6h"], "text": ["2h", "6h"]}}]
DOCUMENT = {"uid": "v", "title": "V", "timezone": "utc", "time": {"from": "now-1h", "to": "now"},
            "templating": {"list": VARIABLES}}
VALUES = DashboardFile(Path("v.json"), "General", DOCUMENT).variable_defaults()


def _shown(**panel: str) -> tuple[Window, str, str]:
    at, _ = clock(DOCUMENT)
    found = panel_time({"title": "P", **panel}, Window(NOW - 3600, NOW), NOW, at, VALUES)
    return found.window, found.info, found.note


def test_a_variable_in_time_from_and_time_shift_is_filled_in_then_read() -> None:
    assert _shown(timeFrom="$span") == (Window(NOW - 7200, NOW), "Last 2 hours", "")
    assert _shown(timeFrom="${span}", timeShift="$back") == (
        Window(NOW - 7200 - 86400, NOW - 86400, relative=False), "Last 2 hours timeshift -1d", "")


def test_what_does_not_read_once_filled_in_is_an_invalid_override_with_a_note() -> None:
    window, info, note = _shown(timeFrom="$spans")  # glob: {2h,6h}
    assert (window, info) == (Window(NOW - 3600, NOW), "invalid time override")
    assert "its timeFrom '$spans' is not drawn" in note
    window, info, note = _shown(timeShift="$nowhere")
    assert info == "invalid timeshift" and "$nowhere" in note and "lacks" in note


def test_the_panels_queries_and_the_pages_notes_use_the_filled_in_time() -> None:
    panel = {"id": 1, "type": "timeseries", "title": "P", "timeFrom": "$span",
             "targets": [{"refId": "A", "expr": "vector(1)"}]}
    document = {**DOCUMENT, "panels": [panel]}
    [request] = requests_for(document, panel, VALUES, NOW, 1440, 15.0)
    assert (request.start, request.end) == (NOW - 7200, NOW)
    assert timed(document, NOW, values=VALUES).notes == ()
