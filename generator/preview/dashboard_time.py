"""The time range a dashboard and each of its panels query, read as Grafana 12 reads them, with timerange.py's date
math: the one reader of every time expression in the preview (links, the dashboard's `time`, panels' overrides).

The dashboard (grafana/scenes SceneTimeRange, evaluateTimeRange): `time.from` and `time.to` are date math (`now-7d`,
`now-1d/d` to `now-1d/d` for yesterday, `now/w`), or absolute times (epoch milliseconds, ISO); `to` rounds up to the
end of its unit and need not be now. An end Grafana cannot read it silently replaces, `from` by `now-6h` and `to` by
`now`: the preview does the same, and says so in a note on the page.

Its time zone (`timezone`): "utc", or an IANA name (moment-timezone's, which Python's zoneinfo reads from the same
tz database), decides where `/d` and `/w` round. "browser", "" (the user's preference, which obsgen's stack leaves at
its default, the browser's) and a zone Grafana does not know (SceneTimeRange getValidTimeZone falls back to the
default) take the viewer's browser's zone: the preview computes the range on the server, for whatever browser will
look, and takes BROWSER_ZONE, UTC; a viewer east or west of UTC sees `/d` round at their own midnight in Grafana.
The page draws its time axes in the same zone as the range rounds in (zone_name, uPlot's tzDate), as Grafana
draws them in the dashboard's: whatever the zone of the machine or browser drawing it, so that `obsgen preview`
and its goldens draw the same picture anywhere and an axis' midnight is the midnight `/d` rounded to. weekStart:
timerange.week_start; fiscalYearStartMonth (`now/fQ`, `now/fy`): fiscal_month.

A panel (grafana public/app/features/dashboard-scene/scene/PanelTimeRange.tsx getTimeOverride, as the older
dashboard/utils/panel.ts applyPanelTimeOverrides): `timeFrom` is read by rangeUtil.describeTextRange (`2h` is
now-2h..now, `now/d` today so far, `now-1d/d` from yesterday's midnight to now; a `+` first looks ahead), evaluated
in the dashboard's zone with neither end rounded up, and only when the dashboard's range is relative (either end
holding `now`: rangeUtil.isRelativeTimeRange); an absolute range (a link's epoch times) keeps the panel on it.
`timeShift` (`1h`, `1d/d`) moves both ends back by `-<shift>` as date math (parseDateMath: `from` rounded down,
`to` up). Neither passes dateMath the dashboard's fiscalYearStartMonth: a panel's `now/fy` or `1y/fy` rounds to
fiscal years starting in January (parseDateMath's default), whatever the dashboard's own range uses. A variable
either one names (`$span`) is filled in first (sceneGraph.interpolate, no format: glob, as a `${span:glob}`), then
read. Either one describeTextRange cannot read (a variable the dashboard lacks included) is "invalid time override" /
"invalid timeshift" in the panel's header and the range stays the dashboard's; the preview notes it too. The text
Grafana shows in the panel's header (`Last 2 hours timeshift -1h`) is the panel's timeInfo, hidden by
`hideTimeOverride`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.checks.lint.dashboard_json import panels
from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.core.listing import shortened
from generator.preview.timerange import MAX_RANGE, link_range, link_time, moved, time_ago, week_start, written

DEFAULT_FROM, DEFAULT_TO = "now-6h", "now"
"""Grafana's range for a dashboard that names none, or one it cannot read (SceneTimeRange's constructor)."""
BROWSER_ZONE: tzinfo = UTC
"""The zone the preview takes for the viewer's browser (see the module's docstring)."""
BROWSER = ("", "browser")
TEXT_RANGE = re.compile(r"now([-+])(\d+)(f[Qy]|[yMwdhmsQ])")
"""What describeTextRange needs at the start of a relative range it has no name for."""
NAMED_RANGES = {
    ("now/d", "now/d"): "Today", ("now/d", "now"): "Today so far", ("now/w", "now/w"): "This week",
    ("now/w", "now"): "This week so far", ("now/M", "now/M"): "This month", ("now/M", "now"): "This month so far",
    ("now/y", "now/y"): "This year", ("now/y", "now"): "This year so far", ("now-1d/d", "now-1d/d"): "Yesterday",
    ("now-2d/d", "now-2d/d"): "Day before yesterday", ("now-7d/d", "now-7d/d"): "This day last week",
    ("now-1w/w", "now-1w/w"): "Previous week", ("now-1M/M", "now-1M/M"): "Previous month",
    ("now-1y/y", "now-1y/y"): "Previous year", ("now-1Q/fQ", "now-1Q/fQ"): "Previous fiscal quarter",
    ("now-1y/fy", "now-1y/fy"): "Previous fiscal year", ("now/fQ", "now"): "This fiscal quarter so far",
    ("now/fQ", "now/fQ"): "This fiscal quarter", ("now/fy", "now"): "This fiscal year so far",
    ("now/fy", "now/fy"): "This fiscal year", **{("now", f"now+{count}"): f"Next {name}" for count, name in (
        ("1m", "minute"), ("5m", "5 minutes"), ("15m", "15 minutes"), ("30m", "30 minutes"), ("1h", "hour"),
        ("3h", "3 hours"), ("6h", "6 hours"), ("12h", "12 hours"), ("24h", "24 hours"), ("2d", "2 days"),
        ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("6M", "6 months"), ("1y", "year"),
        ("2y", "2 years"), ("5y", "5 years"))}}
"""The quick ranges rangeUtil names (BASE_RANGE_OPTIONS, and HIDDEN_RANGE_OPTIONS' `Next hour`) that a count alone
does not: `now-5m` to now is "Last 5 minutes" as describeTextRange writes any count."""
QUICK = {start: name for (start, end), name in NAMED_RANGES.items() if end == DEFAULT_TO}
"""describeTextRange's names for a `from` ending at now."""
SPANS = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "M": "month", "Q": "quarter",
         "y": "year", "fQ": "fiscal quarter", "fy": "fiscal year"}


SHOWN = 60
"""Characters of an expression a note repeats: a hostile dashboard's 5000-character time stays out of the page."""


def _cut(text: object, most: int = SHOWN) -> str:
    return shortened(str(text), most)


def _quoted(text: object) -> str:
    return repr(_cut(text))


@dataclass(frozen=True)
class Clock:
    """Where a dashboard's date math runs: its time zone, its weeks' first day (0 Sunday .. 6 Saturday) and its
    fiscal years' first month."""

    zone: tzinfo = BROWSER_ZONE
    first_day: int = 0
    fiscal_month: int = 0
    """The month its fiscal years start in, 0 January .. 11 December (fiscal_month): for the dashboard's own range
    and a link's; a panel's timeFrom and timeShift count them from January (panel_time)."""
    named: bool = False
    """Whether the dashboard names its zone ("utc" or an IANA name) rather than taking the browser's: the time
    picker then follows the range with the zone's abbreviation (range_text)."""


@dataclass(frozen=True)
class Window:
    """A range queried, in epoch seconds, and whether it is relative (an end written with `now`): a panel's
    timeFrom only replaces a relative one."""

    start: float
    end: float
    relative: bool = True


@dataclass(frozen=True)
class PanelTime:
    """A panel's range once its timeFrom and timeShift apply, the text its header shows ("" for none), and a note
    for an override the preview could not read."""

    window: Window
    info: str = ""
    note: str = ""


def fiscal_month(document: dict[str, Any]) -> int:
    """The dashboard's fiscalYearStartMonth (0 January .. 11 December, as Grafana's schema bounds it); 0, the
    calendar year, when it names no month."""
    month = document.get("fiscalYearStartMonth")
    return month if isinstance(month, int) and not isinstance(month, bool) and 0 <= month <= 11 else 0


def clock(document: dict[str, Any]) -> tuple[Clock, str]:
    """The dashboard's Clock, and a note when its timezone names a zone there is none of."""
    name = document.get("timezone")
    first_day, fiscal = week_start(document.get("weekStart")), fiscal_month(document)
    if name is None or name in BROWSER:
        return Clock(BROWSER_ZONE, first_day, fiscal), ""
    if str(name).lower() == "utc":
        return Clock(UTC, first_day, fiscal, named=True), ""
    try:
        return Clock(ZoneInfo(str(name)), first_day, fiscal, named=True), ""
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a path, a name too long for a file
        said = f"Time zone {_quoted(name)} is not a time zone: Grafana uses the browser's instead, the preview UTC."
        return Clock(BROWSER_ZONE, first_day, fiscal), said


def zone_name(zone: tzinfo) -> str:
    """The IANA name of the zone the dashboard's range rounds in (clock), in which the page draws its time axes
    (uPlot's tzDate) whatever the zone of the browser drawing it: "UTC" for a "browser" dashboard."""
    return str(getattr(zone, "key", "UTC"))


def window_of(start_text: str, end_text: str, now: float, at: Clock) -> Window:
    """The range from start_text to end_text at time now; ValueError as timerange.link_range says."""
    start, end = link_range(start_text, end_text, now, at.first_day, at.zone, at.fiscal_month)
    return Window(start, end, "now" in start_text or "now" in end_text)


def _abbreviation(start_text: str, now: float, at: Clock) -> str:
    """The zone's abbreviation the time picker writes after the range (TimePickerButtonLabel:
    rangeUtil.describeTimeRangeAbbreviation, timeZoneAbbrevation at the range's evaluated `from`, moment-timezone's
    `z`): CET in winter and CEST in summer for Europe/Berlin, UTC for "utc"; none for the browser's zone ("browser",
    "", one Grafana does not know), whose moment is a local one, without an abbreviation."""
    if not at.named:
        return ""
    try:
        start = link_time(start_text, now, False, at.first_day, at.zone, at.fiscal_month)
    except ValueError:
        return ""
    return datetime.fromtimestamp(start, at.zone).strftime("%Z")


def _described(start_text: str, end_text: str, now: float, at: Clock) -> str:
    """rangeUtil.describeTimeRange over TimePickerButtonLabel's range (an end as written when it is date math, else
    its time): a quick range's name; both ends absolute, each time to the second in the dashboard's zone
    (dateTimeFormat with its timeZone); one absolute, that one so and the other as time ago, from its date math
    read in UTC (dateMath.parse(end, roundUp, 'utc'); dateTimeFormatTimeAgo: `a few seconds ago` for now); `Last 3
    hours` for one ending at now (describeTextRange); else `<from> to <to>` as written."""
    named = NAMED_RANGES.get((start_text, end_text))
    if named:
        return named
    start_math, end_math = "now" in start_text, "now" in end_text
    try:
        if not start_math:
            start = written(link_time(start_text, now), at.zone)
            if not end_math:
                return f"{start} to {written(link_time(end_text, now, True), at.zone)}"
            ago = time_ago(link_time(end_text, now, True, at.first_day), now, BROWSER_ZONE)
            return f"{start} to {ago}"
        if not end_math:
            ago = time_ago(link_time(start_text, now, False, at.first_day), now, BROWSER_ZONE)
            return f"{ago} to {written(link_time(end_text, now, True), at.zone)}"
    except ValueError:
        return f"{start_text} to {end_text}"
    described = describe_text_range(start_text) if end_text == DEFAULT_TO else None
    return described[2] if described else f"{start_text} to {end_text}"


def range_text(start_text: str, end_text: str, at: Clock = Clock(), now: float | None = None) -> str:
    """The time picker's text at time now (the clock's when None): the range described (_described), followed by
    the dashboard's zone's abbreviation when it names one (_abbreviation), as TimePickerButtonLabel writes them side
    by side: `Last 6 hours UTC`, `Yesterday CET`, `Last 6 hours` for a browser's zone."""
    now = time.time() if now is None else now
    return " ".join(part for part in (_described(start_text, end_text, now, at), _abbreviation(start_text, now, at))
                    if part)


def _end(time: dict[str, Any], key: str, default: str, now: float, at: Clock) -> tuple[str, str]:
    """One end of the dashboard's own range as Grafana keeps it (its default when it is not a time), and a note."""
    text = time.get(key)
    if text is None or text == "":
        return default, ""
    try:
        link_time(str(text), now, key == "to", at.first_day, at.zone, at.fiscal_month)
    except ValueError as error:
        return default, (f"The dashboard's time.{key} {_quoted(text)} is not a time the preview reads "
                         f"({_cut(error, 3 * SHOWN)}): it draws {default!r}, as Grafana does with a time it cannot "
                         "read.")
    return str(text), ""


def own_range(document: dict[str, Any], now: float) -> tuple[str, str, tuple[str, ...]]:
    """The dashboard's `from` and `to` as Grafana keeps them at time now (its defaults for what it cannot read), and
    notes on what the preview could not read."""
    at, zone_note = clock(document)
    time = document.get("time")
    time = time if isinstance(time, dict) else {}
    start, start_note = _end(time, "from", DEFAULT_FROM, now, at)
    end, end_note = _end(time, "to", DEFAULT_TO, now, at)
    return start, end, tuple(note for note in (zone_note, start_note, end_note) if note)


def dashboard_window(document: dict[str, Any], now: float) -> tuple[Window, tuple[str, ...]]:
    """The dashboard's own range at time now, and notes on what in its time the preview could not read."""
    at, _ = clock(document)
    start, end, notes = own_range(document, now)
    try:
        return window_of(start, end, now, at), notes
    except ValueError as error:
        return (window_of(DEFAULT_FROM, DEFAULT_TO, now, at),
                (*notes, f"The dashboard's time range is not drawn ({error}): the preview uses the last 6 hours."))


def describe_text_range(expr: str) -> tuple[str, str, str] | None:
    """rangeUtil.describeTextRange: (from, to, display) of a panel's relative time or shift, None when invalid."""
    ahead = expr.startswith("+")
    if "now" not in expr:
        expr = ("now" if ahead else "now-") + expr
    if expr in QUICK:
        return expr, "now", QUICK[expr]
    parts = TEXT_RANGE.match(expr)
    if parts is None:
        return None
    _, amount, unit = parts.groups()
    display = f"{'Next' if ahead else 'Last'} {int(amount)} {SPANS[unit]}{'s' if int(amount) > 1 else ''}"
    return ("now", expr, display) if ahead else (expr, "now", display)


def _override(panel: dict[str, Any], key: str) -> str:
    value = panel.get(key)
    return value if isinstance(value, str) else ""


def _bounded(window: Window) -> Window:
    """The window, or ValueError when it is longer than a link may ask for (timerange.MAX_RANGE)."""
    if window.end - window.start > MAX_RANGE:
        raise ValueError("it spans more than 5 years")
    return window


def _filled(text: str, values: Mapping[str, str] | None) -> str:
    """An override with the variables it names filled in as sceneGraph.interpolate fills them (no format: glob);
    ValueError naming a variable values lacks. Without values (none known), as written."""
    try:
        return text if values is None else interpolate(text, values, "glob")
    except UnknownVariable as unknown:
        raise ValueError(f"it names ${unknown.args[0]}, which the dashboard lacks") from None


def panel_time(panel: dict[str, Any], parent: Window, now: float, at: Clock,
               values: Mapping[str, str] | None = None) -> PanelTime:
    """The panel's range over the dashboard's (or a link's) parent range at time now, as PanelTimeRange makes it,
    the variables its timeFrom and timeShift name filled in from values; an override the preview cannot read, or
    that spans more than MAX_RANGE, is left out with a note."""
    window, info = parent, ""
    time_from, shift = _override(panel, "timeFrom"), _override(panel, "timeShift")
    title = panel.get("title") or f"#{panel.get('id')}"
    if time_from:
        try:
            described = describe_text_range(_filled(time_from, values))
            if described is None:
                raise ValueError("not a relative time")
            start_text, end_text, display = described
            if parent.relative:
                window = _bounded(Window(link_time(start_text, now, False, at.first_day, at.zone),
                                         link_time(end_text, now, False, at.first_day, at.zone)))
                info = display
        except ValueError as error:
            return PanelTime(parent, "invalid time override",
                             f"Panel {_quoted(title)}: its timeFrom {_quoted(time_from)} is not drawn "
                             f"({_cut(error, 3 * SHOWN)}); drawn over the dashboard's range, as Grafana draws an "
                             "invalid one.")
    if shift:
        try:
            filled = _filled(shift, values)
            if describe_text_range(filled) is None:
                raise ValueError("not a time shift")
            window = _bounded(Window(moved("-" + filled, window.start, False, at.first_day, at.zone),
                                     moved("-" + filled, window.end, True, at.first_day, at.zone), relative=False))
        except ValueError as error:
            return PanelTime(window, "invalid timeshift",
                             f"Panel {_quoted(title)}: its timeShift {_quoted(shift)} is not drawn "
                             f"({_cut(error, 3 * SHOWN)}); drawn without it, as Grafana draws an invalid one.")
        info = f"{info} timeshift -{filled}".strip()
    return PanelTime(window, "" if panel.get("hideTimeOverride") else info)


@dataclass(frozen=True)
class Timed:
    """Every range a dashboard shows at a time: each panel's (panel_time, in panels' order), and notes on every time
    expression of the dashboard and its panels that the preview could not read."""

    panels: tuple[tuple[dict[str, Any], PanelTime], ...]
    notes: tuple[str, ...]


def timed(document: dict[str, Any], now: float, window: Window | None = None,
          values: Mapping[str, str] | None = None) -> Timed:
    """The dashboard's panels' ranges at time now over its own range, or a link's window when given, their
    overrides' variables filled in from values; with the notes on what did not read: the page's data and its note
    come from this one reading."""
    at, zone_note = clock(document)
    parent, notes = dashboard_window(document, now) if window is None else (window, (zone_note,) if zone_note else ())
    found = tuple((panel, panel_time(panel, parent, now, at, values)) for panel in panels(document))
    return Timed(found, (*notes, *(shown.note for _, shown in found if shown.note)))
