"""A served dashboard's panels query the range Grafana 12 would: the dashboard's own date math (yesterday, in its
time zone), a panel's timeShift moving its window back, and a time the preview cannot read named in a note on the
page. Against a real Prometheus answering `vector(1)`, which has a value at every step of any range, so a panel's
time axis is the range it asked for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests import servers
from tests.preview_spec import served


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real prometheus scraping nothing: `vector(1)` answers over any range."""
    work = tmp_path_factory.mktemp("dashboard-time")
    config = work / "prometheus.yml"
    config.write_text("global: {scrape_interval: 15s}\n")
    with servers.prometheus(config, work) as server:
        yield server.url


def _panel(panel_id: int, **options: Any) -> dict[str, Any]:
    return {"type": "timeseries", "id": panel_id, "title": f"P{panel_id}",
            "gridPos": {"x": 0, "y": 0, "w": 24, "h": 6}, "targets": [{"refId": "A", "expr": "vector(1)"}], **options}


def _axes(prometheus: str, time: dict[str, Any], *panels: dict[str, Any], **dashboard: Any
          ) -> tuple[dict[str, tuple[float, float]], str]:
    """Each panel's first and last time on its axis, and the page's note."""
    document = {"uid": "timed", "title": "Timed", "time": time, "panels": list(panels), **dashboard}
    status, spec = served(document, prometheus, "/d/timed", 15.0)
    assert status == 200
    return {key: (found["time"][0], found["time"][-1]) for key, found in spec["data"].items()}, spec["note"]


def _midnight(days_back: int, zone: str = "UTC") -> float:
    today = datetime.now(ZoneInfo(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=days_back)).timestamp()


@pytest.mark.parametrize("zone", ["utc", "Asia/Kolkata"])
def test_yesterdays_dashboard_queries_yesterday_in_its_time_zone(prometheus: str, zone: str) -> None:
    """`now-1d/d` to `now-1d/d` is Grafana's "Yesterday": its zone's midnight to its last millisecond (the old
    reader knew only now-X and drew the last 6 hours)."""
    axes, note = _axes(prometheus, {"from": "now-1d/d", "to": "now-1d/d"}, _panel(1), timezone=zone)
    iana = "UTC" if zone == "utc" else zone
    first, last = axes["1"]
    if first != _midnight(1, iana):  # the test ran across midnight: yesterday moved
        axes, note = _axes(prometheus, {"from": "now-1d/d", "to": "now-1d/d"}, _panel(1), timezone=zone)
        first, last = axes["1"]
    assert first == _midnight(1, iana) and _midnight(0, iana) - 120 <= last < _midnight(0, iana)
    assert note == ""


def test_a_panels_time_shift_moves_its_window_back(prometheus: str) -> None:
    axes, note = _axes(prometheus, {"from": "now-1h", "to": "now"}, _panel(1), _panel(2, timeShift="1h"),
                       _panel(3, timeShift="1d/d"), timezone="utc")
    assert note == ""
    own, shifted, whole_day = axes["1"], axes["2"], axes["3"]
    assert shifted[0] == pytest.approx(own[0] - 3600, abs=15) and shifted[1] == pytest.approx(own[1] - 3600, abs=15)
    assert whole_day[0] <= own[0] - 86400 and whole_day[1] >= own[1] - 86400 - 120  # yesterday's day, rounded out
    assert whole_day[0] % 86400 == 0 and whole_day[1] - whole_day[0] >= 86400 - 120


def test_an_unreadable_time_is_a_note_and_drawn_as_grafana_falls_back(prometheus: str) -> None:
    axes, note = _axes(prometheus, {"from": "yesterday", "to": "now"}, _panel(1), _panel(2, timeShift="an hour"),
                       _panel(3, timeFrom="now/fz"), timezone="Mars/Olympus")
    assert "The dashboard's time.from 'yesterday' is not a time the preview reads" in note
    assert "it draws 'now-6h'" in note
    assert "Time zone 'Mars/Olympus' is not a time zone" in note
    assert "Panel 'P2': its timeShift 'an hour' is not drawn (not a time shift)" in note
    assert "Panel 'P3': its timeFrom 'now/fz' is not drawn (not a relative time)" in note
    first, last = axes["1"]
    assert last - first == pytest.approx(6 * 3600, abs=30)  # Grafana's now-6h..now
    assert axes["2"] == axes["1"] and axes["3"] == axes["1"]  # an invalid override leaves the dashboard's range


def test_a_panels_relative_time_is_read_as_describe_text_range_reads_it() -> None:
    """rangeUtil.describeTextRange: `now-1d/d` runs from yesterday's midnight to now (its `to` is not rounded)."""
    from generator.preview.dashboard_time import Window, clock, describe_text_range, panel_time

    now = datetime(2026, 3, 4, 15, 30, tzinfo=UTC).timestamp()
    parent = Window(now - 3600, now)
    at, _ = clock({"timezone": "utc"})
    assert describe_text_range("2h") == ("now-2h", "now", "Last 2 hours")
    assert describe_text_range("now/d") == ("now/d", "now", "Today so far")
    assert describe_text_range("+1h") == ("now", "now+1h", "Next 1 hour")
    assert describe_text_range("an hour") is None
    since = panel_time({"timeFrom": "now-1d/d"}, parent, now, at)
    assert since.window == Window(datetime(2026, 3, 3, tzinfo=UTC).timestamp(), now) and since.info == "Last 1 day"
    both = panel_time({"timeFrom": "2h", "timeShift": "1d", "hideTimeOverride": False}, parent, now, at)
    assert both.window == Window(now - 86400 - 7200, now - 86400, relative=False)
    assert both.info == "Last 2 hours timeshift -1d"
    assert panel_time({"timeFrom": "2h", "hideTimeOverride": True}, parent, now, at).info == ""
    kept = panel_time({"timeFrom": "2h"}, Window(now - 60, now, relative=False), now, at)
    assert kept.window == Window(now - 60, now, relative=False) and kept.info == ""


def test_the_shipped_dashboards_times_all_read(built: Path) -> None:
    """Every shipped dashboard's time, zone and panel overrides read without a note."""
    from generator.preview.dashboard_time import timed
    from generator.preview.source import dashboards

    for dashboard in dashboards(built / "grafana"):
        assert timed(dashboard.document, datetime.now(UTC).timestamp()).notes == (), dashboard.uid


PICKER_NOW = datetime(2026, 1, 7, 13, 45, 30, tzinfo=UTC).timestamp()
PICKER_TEXTS = {
    ("now-1d/d", "now-1d/d"): "Yesterday", ("now/w", "now/w"): "This week", ("now/d", "now"): "Today so far",
    ("now-7d", "now"): "Last 7 days", ("now-1h", "now"): "Last 1 hour",
    ("now-1d/d", "now"): "Last 1 day",  # describeTextRange reads the count and leaves the rounding unsaid
    ("now-2h", "now-1h"): "now-2h to now-1h", ("now", "now+1h"): "Next hour", ("now", "now+5m"): "Next 5 minutes",
    ("1767225600000", "1767229200000"): "2026-01-01 00:00:00 to 2026-01-01 01:00:00",
    ("1767225600000", "now"): "2026-01-01 00:00:00 to a few seconds ago",
    ("1767225600000", "now-30h"): "2026-01-01 00:00:00 to a day ago",  # moment's `a day`: 22 to 35 hours
    ("1767225600000", "now+3d"): "2026-01-01 00:00:00 to in 3 days",
    ("now-90m", "1767830400000"): "2 hours ago to 2026-01-08 00:00:00",
    ("now-45s", "1767830400000"): "a minute ago to 2026-01-08 00:00:00",
    ("now-1y", "1767830400000"): "a year ago to 2026-01-08 00:00:00",
    ("now-46d", "1767830400000"): "2 months ago to 2026-01-08 00:00:00"}


@pytest.mark.parametrize(("written", "text"), PICKER_TEXTS.items())
def test_the_time_picker_names_a_range_as_grafana_does(written: tuple[str, str], text: str) -> None:
    """rangeUtil.describeTimeRange: the quick ranges' names (HIDDEN_RANGE_OPTIONS' `Next hour` too), `Last <count>
    <unit>s` for one ending at now, an absolute end to the second, and, for a range with one end absolute, the
    other as moment's fromNow writes it (dateTimeFormatTimeAgo); in a browser's zone, followed by no abbreviation."""
    from generator.preview.dashboard_time import range_text

    assert range_text(*written, now=PICKER_NOW) == text


@pytest.mark.parametrize(("written", "zone", "now", "text"), [
    (("1767225600000", "1767229200000"), "Europe/Berlin", PICKER_NOW,
     "2026-01-01 01:00:00 to 2026-01-01 02:00:00 CET"),
    (("1751328000000", "now-1M"), "Europe/Berlin", PICKER_NOW, "2025-07-01 02:00:00 to a month ago CEST"),
    (("now-1h", "1767225600000"), "Europe/Berlin", PICKER_NOW, "an hour ago to 2026-01-01 01:00:00 CET"),
    (("now-6h", "now"), "Europe/Berlin", PICKER_NOW, "Last 6 hours CET"),
    (("now-6h", "now"), "Europe/Berlin", datetime(2026, 7, 1, tzinfo=UTC).timestamp(), "Last 6 hours CEST"),
    (("now-1d/d", "now-1d/d"), "America/New_York", PICKER_NOW, "Yesterday EST"),
    (("now-6h", "now"), "utc", PICKER_NOW, "Last 6 hours UTC"),
    (("now-6h", "now"), "browser", PICKER_NOW, "Last 6 hours"),
    (("now-6h", "now"), "", PICKER_NOW, "Last 6 hours"),
    (("now-6h", "now"), "Mars/Olympus", PICKER_NOW, "Last 6 hours")])
def test_the_time_picker_follows_the_range_with_the_abbreviation_of_the_zone_the_dashboard_names(
        written: tuple[str, str], zone: str, now: float, text: str) -> None:
    """TimePickerButtonLabel writes rangeUtil.describeTimeRangeAbbreviation after every range, relative ones too:
    timeZoneAbbrevation (moment-timezone's `z`) at the range's evaluated `from` in the dashboard's zone (CET in
    January, CEST in July), `UTC` for "utc"; for the browser's zone ("browser", "", or a zone Grafana does not know)
    the moment is a local one, whose `z` is empty. An absolute end is written in the dashboard's zone (dateTimeFormat
    with its timeZone)."""
    from generator.preview.dashboard_time import clock, range_text

    assert range_text(*written, clock({"timezone": zone})[0], now) == text


@pytest.mark.parametrize(("panel", "said"), [
    ({"timeFrom": "100y"}, "its timeFrom '100y' is not drawn (it spans more than 5 years)"),
    ({"timeShift": "99999999999y"}, "its timeShift '99999999999y' is not drawn ("),
    ({"timeShift": "9" * 5000 + "d"}, "is not drawn ("),
    ({"timeShift": "99999999999d"}, "its timeShift '99999999999d' is not drawn ("),
])
def test_a_hostile_panel_time_is_a_note_not_a_traceback_nor_a_decade_of_samples(panel: dict[str, Any],
                                                                                said: str) -> None:
    from generator.preview.dashboard_time import Window, clock, panel_time

    now = datetime(2026, 3, 4, 15, 30, tzinfo=UTC).timestamp()
    found = panel_time({"title": "P", **panel}, Window(now - 3600, now), now, clock({})[0])
    assert said in found.note and len(found.note) < 400 and found.window.end - found.window.start <= 86400 * 366


@pytest.mark.parametrize("zone", ["x" * 5000, "../../etc/passwd", "", "Nowhere/Town"])
def test_a_hostile_time_zone_is_utc_with_a_note_at_most(zone: str) -> None:
    from generator.preview.dashboard_time import clock

    at, note = clock({"timezone": zone})
    assert at.zone == UTC and (note == "" if zone == "" else "is not a time zone" in note)


MATH_NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("text", "round_up", "expected"), [
    ("now/1d", False, datetime(2026, 3, 4, tzinfo=UTC).timestamp()),  # datemath.ts: a rounding count of 1 reads
    ("now-1d/01d", True, datetime(2026, 3, 4, tzinfo=UTC).timestamp() - 0.001),
    ("now - 1d", False, MATH_NOW - 86400),  # parseDateMath strips whitespace (mathString.replace(/\s/g, ''))
    ("now-1 d / d ", False, datetime(2026, 3, 3, tzinfo=UTC).timestamp()),
    ("now\t-\n2h", False, MATH_NOW - 7200)])
def test_date_math_reads_what_grafanas_parse_date_math_reads(text: str, round_up: bool, expected: float) -> None:
    from generator.preview.timerange import date_math

    assert date_math(text, MATH_NOW, round_up) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["now/2d", "now/0d", "now-1d/10h", "now-", "now/"])
def test_date_math_refuses_what_grafanas_parse_date_math_refuses(text: str) -> None:
    """Rounding is only allowed on whole, single units (datemath.ts: type 0 and num !== 1 is undefined)."""
    from generator.preview.timerange import date_math

    with pytest.raises(ValueError, match="is not"):
        date_math(text, MATH_NOW, False)


@pytest.mark.parametrize(("text", "read"), [
    ("now-999999999s", True), ("now-1d-1d-1d-1d", False), ("now-1d-1d-1d-d", True), ("now-1d-1d-1d/d", True),
    ("now-1d-1d-1d/1d", False), ("now-9999999999s", False), ("now - 1 d - 1 d - 1 d - 1 d", False),
    ("now-1d-1d-12h", True), ("now-1d-1d-1d-12h", False)])
def test_date_math_refuses_a_count_past_parse_date_maths_tenth_character(text: str, read: bool) -> None:
    """parseDateMath reads a count digit by digit and gives up once its index into the blank-stripped math passes 10
    (`i++; if (i > 10) return undefined`): a digit at index 10 or later is refused, wherever its step starts."""
    from generator.preview.timerange import date_math

    if read:
        date_math(text, MATH_NOW, False)
    else:
        with pytest.raises(ValueError, match="parseDateMath refuses"):
            date_math(text, MATH_NOW, False)
