"""Fiscal date math (`now/fQ`, `now/fy`) read as grafana-data datemath.ts parseDateMath and roundToFiscal read it,
with the dashboard's fiscalYearStartMonth (0 January .. 11 December), as scenes' SceneTimeRange passes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC).timestamp()


def _at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("math", "fiscal", "round_up", "expected"), [
    ("now/fy", 3, False, _at(2025, 4, 1)),  # datemath.test.ts: fiscal year starting in April
    ("now/fy", 3, True, _at(2026, 4, 1) - 0.001),
    ("now/fy", 0, False, _at(2026, 1, 1)),  # January: the calendar year
    ("now/fQ", 3, False, _at(2026, 1, 1)),  # quarters Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar
    ("now/fQ", 3, True, _at(2026, 4, 1) - 0.001),
    ("now/fQ", 1, False, _at(2026, 2, 1)),  # quarters from February: Feb-Apr
    ("now/fQ", 1, True, _at(2026, 5, 1) - 0.001),
    ("now-1y/fy", 6, False, _at(2024, 7, 1)),  # "Previous fiscal year": a year back, then rounded
    ("now-1Q/fQ", 6, False, _at(2025, 10, 1)),  # "Previous fiscal quarter"
    ("now-1fy", 6, False, NOW - 365 * 86400),  # moving by a fiscal unit moves by the unit (add(num, unit))
])
def test_fiscal_date_math_is_grafanas(math: str, fiscal: int, round_up: bool, expected: float) -> None:
    from generator.preview.timerange import date_math

    assert date_math(math, NOW, round_up, fiscal_month=fiscal) == pytest.approx(expected)


def test_a_dashboards_fiscal_range_is_drawn_from_its_fiscal_year_start_month() -> None:
    from generator.preview.dashboard_time import dashboard_window, range_text

    document = {"time": {"from": "now/fQ", "to": "now/fQ"}, "timezone": "utc", "fiscalYearStartMonth": 1}
    window, notes = dashboard_window(document, NOW)
    assert notes == ()
    assert (window.start, window.end) == pytest.approx((_at(2026, 2, 1), _at(2026, 5, 1) - 0.001))
    assert range_text("now/fQ", "now/fQ") == "This fiscal quarter"
    assert range_text("now/fy", "now") == "This fiscal year so far"
    assert range_text("now-1y/fy", "now-1y/fy") == "Previous fiscal year"


def test_a_panels_fiscal_overrides_count_fiscal_years_from_january() -> None:
    """PanelTimeRange.getTimeOverride reads timeFrom with dateMath.parse(from, undefined, timeZone) and timeShift with
    parseDateMath(shift, time, roundUp): neither passes the dashboard's fiscalYearStartMonth, so both round fiscal
    units in years starting in January (parseDateMath's fiscalYearStartMonth = 0), unlike the dashboard's own range."""
    from generator.preview.dashboard_time import Window, clock, panel_time

    at, _ = clock({"timezone": "utc", "fiscalYearStartMonth": 3})
    shown = panel_time({"timeFrom": "now/fy"}, Window(NOW - 3600, NOW), NOW, at)
    assert shown.note == "" and shown.info == "This fiscal year so far"
    assert (shown.window.start, shown.window.end) == pytest.approx((_at(2026, 1, 1), NOW))
    shifted = panel_time({"timeShift": "1y/fy"}, Window(NOW - 3600, NOW), NOW, at)
    assert shifted.note == "" and shifted.info == "timeshift -1y/fy"
    assert (shifted.window.start, shifted.window.end) == pytest.approx((_at(2025, 1, 1), _at(2026, 1, 1) - 0.001))
