"""A Grafana time (a link's `from` and `to`, a dashboard's `time`), read as Grafana reads it, in epoch seconds.

Grafana's URL sync (scenes' SceneTimeRange.updateFromUrl, parseUrlParam) keeps any value holding `now` for its date
math (`now`, `now-6h`, `now-1d/d`, `now/w`: +/- a count and a unit, `/unit` or `/1unit` rounding down, or up to the
unit's end for `to`; units s m h d w M Q y, and `f` before one: fiscal; blanks after `now` are dropped, `now - 1d`
being `now-1d`); else reads `YYYYMMDD`, `YYYYMMDDTHHmmss`, `YYYY-MM-DD HH:mm:ss` and a 24-character ISO time as UTC;
else the number the value starts with (JavaScript's parseInt) as epoch milliseconds. Date math runs in a time zone
(grafana-data datemath.ts parse(text, roundUp, timezone) -> dateTimeForTimeZone): `/d`, `/w`, `/M`, `/Q`, `/y` round
to that zone's midnight; days, weeks, months, quarters and years move its calendar (moment keeps the wall time
across a DST change), while `s`, `m`, `h` move the instant. dashboard_time.py says which zone a dashboard takes.

`/w` rounds to the start of moment's locale week. Grafana 12 sets its first day from the dashboard's `weekStart` when
that names a day (scenes' evaluateTimeRange -> setWeekStart; grafana-data moment_wrapper.ts setWeekStart and
getWeekdayIndexByEnglishName: any English day name, any case); else (no weekStart, "", "browser", anything else)
from the user's preference, which obsgen's stack leaves unset, so from the locale Grafana reads off the browser's
Accept-Language (pkg/api/index.go: its first tag, "en-US" without one): moment's `en`, whose weeks start on Sunday.
A viewer whose browser asks for en-GB or de sees Monday there; the preview draws what en-US and headless browsers
see.

Fiscal units (grafana-data datemath.ts parseDateMath, roundToFiscal), with the dashboard's fiscalYearStartMonth (0
January .. 11 December; scenes' SceneTimeRange passes it to dateMath.parse): `/fy` rounds down to the first day of
the fiscal year holding the time, `/fQ` to that of its fiscal quarter (quarters counted from the start month), and
up to the last millisecond of that year or quarter; `f` before any other unit rounds nothing. Moving by a fiscal
unit (`-1fy`) moves by the unit (moment's add(num, unit)): `now-1y/fy` is the previous fiscal year.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo

from generator.core.grafana_formats import JS_INT, js_round

MAX_RANGE = 5 * 365 * 86400.0
"""Longest range a link may ask for: Grafana's longest quick range, "Last 5 years". A longer one (from=0) is refused
rather than drawn: one point would stand for weeks, and Prometheus would read every sample it holds."""
UNITS = "smhdwMQy"
INSTANT = {"s": 1, "m": 60, "h": 3600}
"""Units that move the instant (moment's add on a duration in milliseconds)."""
CALENDAR_DAYS = {"d": 1, "w": 7}
"""Units that move the calendar's date, keeping the wall time (moment's add on days)."""
MATH = re.compile(r"([+-])(\d*)f?([smhdwMQy])|/(\d*)(f?[smhdwMQy])")
"""One step of parseDateMath: a sign, a count (1 when none) and a unit (`f` before it counts for nothing), or `/`,
a count that must be 1 (`/d`, `/1d`, `/01d`: parseInt reads it; "rounding is only allowed on whole, single, units")
and a unit, `f` before `y` or `Q` making it fiscal."""
LAST_DIGIT_AT = 9
"""The last index of the (blank-stripped) math a count's digit may sit at: parseDateMath reads a count digit by digit,
`i++`, and gives up once `i > 10`; `now-1d-1d-1d-1d` is thus refused, its fourth count at index 10."""
BLANK = re.compile(r"\s")
"""What parseDateMath strips from the math before reading it (JavaScript's \\s: mathString.replace with /\\s/g)."""
LAYOUTS = {8: "%Y%m%d", 15: "%Y%m%dT%H%M%S", 19: "%Y-%m-%d %H:%M:%S"}
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
"""JavaScript's day numbers: 0 is Sunday."""
LOCALE_WEEK_START = 0
"""moment's `en` locale (Grafana's for an en-US browser, or one that sends no Accept-Language): weeks start Sunday."""


def week_start(name: object) -> int:
    """The first day of the week (0 Sunday .. 6 Saturday) a dashboard's `weekStart` gives: the day it names, any
    case, else the locale's (LOCALE_WEEK_START)."""
    day = name.lower() if isinstance(name, str) else ""
    return WEEKDAYS.index(day) if day in WEEKDAYS else LOCALE_WEEK_START


def _add_months(moment: datetime, months: int) -> datetime:
    """moment.js' add(n, 'M'): the same day of the month, or the month's last day when it has fewer."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _start_of(moment: datetime, unit: str, first_day: int) -> datetime:
    """moment.js' startOf(unit), in the moment's own zone (date_math's); a week starts on first_day (0 Sunday .. 6
    Saturday)."""
    if unit == "s":
        return moment.replace(microsecond=0)
    if unit == "m":
        return moment.replace(second=0, microsecond=0)
    if unit == "h":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "w":
        return day - timedelta(days=(day.isoweekday() - first_day) % 7)  # isoweekday 7 is Sunday: 0 mod 7
    if unit == "M":
        return day.replace(day=1)
    if unit == "Q":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1) if unit == "y" else day


def _fiscal_start(moment: datetime, unit: str, fiscal_month: int) -> datetime:
    """roundToFiscal rounding down: the first day of the fiscal year (`y`) or quarter (`Q`) holding the moment, the
    year starting in fiscal_month (0 January .. 11 December); other units unrounded."""
    if unit not in ("y", "Q"):
        return moment
    back = (moment.month - 1 - fiscal_month + 12) % (12 if unit == "y" else 3)
    return _start_of(_add_months(moment, -back), "M", LOCALE_WEEK_START)


def _rounded(moment: datetime, unit: str, round_up: bool, first_day: int, fiscal_month: int) -> datetime:
    """`/unit`: the start of the unit holding the moment, or its last millisecond (moment's endOf) for round_up."""
    if unit.startswith("f"):
        start = _fiscal_start(moment, unit[1], fiscal_month)
        if not round_up or unit[1] not in ("y", "Q"):
            return start
        return _add_months(start, 12 if unit[1] == "y" else 3) - timedelta(milliseconds=1)
    start = _start_of(moment, unit, first_day)
    return _shifted(start, 1, unit) - timedelta(milliseconds=1) if round_up else start


def _shifted(moment: datetime, count: int, unit: str) -> datetime:
    if unit in INSTANT:
        return (moment.astimezone(UTC) + timedelta(seconds=count * INSTANT[unit])).astimezone(moment.tzinfo)
    if unit in CALENDAR_DAYS:
        return moment + timedelta(days=count * CALENDAR_DAYS[unit])  # aware + timedelta: the wall time is kept
    return _add_months(moment, count * {"M": 1, "Q": 3, "y": 12}[unit])


def date_math(text: str, now: float, round_up: bool, first_day: int = LOCALE_WEEK_START, zone: tzinfo = UTC,
              fiscal_month: int = 0) -> float:
    """`now` and what follows it (Grafana's dateMath.parse) in zone, weeks starting on first_day, fiscal years in
    fiscal_month; ValueError for anything else."""
    if not text.startswith("now"):
        raise ValueError("date math must start with now")
    return moved(text[3:], now, round_up, first_day, zone, fiscal_month)


def moved(math: str, moment_seconds: float, round_up: bool, first_day: int = LOCALE_WEEK_START, zone: tzinfo = UTC,
          fiscal_month: int = 0) -> float:
    """A time moved by date math without `now` (`-1d/d`: grafana-data parseDateMath on a time), in zone, fiscal
    years starting in fiscal_month; ValueError for math that is not +N<unit>, -N<unit> or /<unit> steps (blanks
    anywhere in it are dropped first, as parseDateMath drops them), whose count has a digit past LAST_DIGIT_AT, or
    that moves out of the years Python writes."""
    try:
        moment, rest, read = datetime.fromtimestamp(moment_seconds, zone), BLANK.sub("", math), 0
        while rest:
            step = MATH.match(rest)
            if step is None or (step.group(5) and int(step.group(4) or "1") != 1):
                raise ValueError(f"{rest!r} is not +N<unit>, -N<unit> or /<unit> (units {', '.join(UNITS)})")
            count_group = 2 if step.group(2) else 4
            if step.group(count_group) and read + step.end(count_group) - 1 > LAST_DIGIT_AT:
                raise ValueError(f"{rest!r} has a count reaching past the {LAST_DIGIT_AT + 1}th character of the "
                                 "math, which Grafana's parseDateMath refuses")
            sign, count, unit, _, rounding = step.groups()
            if rounding:
                moment = _rounded(moment, rounding, round_up, first_day, fiscal_month)
            else:
                moment = _shifted(moment, (1 if sign == "+" else -1) * int(count or "1"), unit)
            read, rest = read + step.end(), rest[step.end():]
        return moment.timestamp()
    except (OverflowError, OSError) as error:
        raise ValueError(str(error)) from None


def _absolute(text: str) -> float:
    layout = LAYOUTS.get(len(text))
    if layout:
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC).timestamp()
        except ValueError:
            pass  # Grafana too goes on to read it as a number
    if len(text) == 24:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()
    number = JS_INT.match(text)
    if number is None:
        raise ValueError("not now-based, a date, or epoch milliseconds")
    return int(number.group(1)) / 1000


def link_time(text: str, now: float, round_up: bool = False, first_day: int = LOCALE_WEEK_START,
              zone: tzinfo = UTC, fiscal_month: int = 0) -> float:
    """One end of a link's (or a dashboard's) range in epoch seconds, its date math in zone, weeks starting on
    first_day, fiscal years in fiscal_month; ValueError naming why it is not a time."""
    try:
        moment = date_math(text, now, round_up, first_day, zone, fiscal_month) if "now" in text else _absolute(text)
        datetime.fromtimestamp(moment, UTC)  # a time Python (and Prometheus) can write
    except (ValueError, OverflowError, OSError) as error:
        raise ValueError(str(error)) from None
    return moment


def link_range(start_text: str, end_text: str, now: float, first_day: int = LOCALE_WEEK_START, zone: tzinfo = UTC,
               fiscal_month: int = 0) -> tuple[float, float]:
    """[from, to] of a link (or a dashboard) in epoch seconds, in zone, weeks starting on first_day (week_start),
    fiscal years in fiscal_month; ValueError for a bad end, an empty or reversed range, or a range longer than
    MAX_RANGE."""
    try:
        start = link_time(start_text, now, first_day=first_day, zone=zone, fiscal_month=fiscal_month)
    except ValueError as error:
        raise ValueError(f"from={start_text!r} is not a time ({error})") from None
    try:
        end = link_time(end_text, now, round_up=True, first_day=first_day, zone=zone, fiscal_month=fiscal_month)
    except ValueError as error:
        raise ValueError(f"to={end_text!r} is not a time ({error})") from None
    if end <= start:
        raise ValueError(f"to={end_text!r} is not after from={start_text!r}")
    if end - start > MAX_RANGE:
        raise ValueError(f"from={start_text!r} to={end_text!r} spans more than 5 years")
    return start, end


def written(moment: float, zone: tzinfo = UTC) -> str:
    """A time as the time picker writes it (rangeUtil.describeTimeRange -> dateTimeFormat, 'YYYY-MM-DD HH:mm:ss'):
    in the dashboard's zone, to the second."""
    return datetime.fromtimestamp(moment, zone).strftime("%Y-%m-%d %H:%M:%S")


RELATIVE_TIME = (("s", 44, "a few seconds"), ("m", 1, "a minute"), ("m", 44, "{} minutes"), ("h", 1, "an hour"),
                 ("h", 21, "{} hours"), ("d", 1, "a day"), ("d", 25, "{} days"), ("M", 1, "a month"),
                 ("M", 10, "{} months"), ("y", 1, "a year"))
"""moment's relativeTime thresholds (ss 44, m 45, h 22, d 26, M 11; weeks unused) and its `en` locale's words: the
first unit whose rounded count is at most the bound names the span; beyond them, `{} years`."""
DAYS_PER_400_YEARS, MONTHS_PER_400_YEARS = 146097, 4800
"""moment's daysToMonths and monthsToDays: a month is 146097 / 4800 days."""


def _months_and_ms(early: datetime, late: datetime) -> tuple[int, float]:
    """moment's positiveMomentsDifference: whole calendar months from early to late (early's day of the month, or
    the month's last, as add(n, 'M') lands), and the milliseconds left."""
    months = late.month - early.month + (late.year - early.year) * 12
    if _add_months(early, months).timestamp() > late.timestamp():
        months -= 1
    return months, (late.timestamp() - _add_months(early, months).timestamp()) * 1000


def time_ago(moment: float, now: float, zone: tzinfo = UTC) -> str:
    """How far moment is from now, as moment's fromNow writes it in its `en` locale (`a few seconds ago`, `an hour
    ago`, `in 3 days`): the time picker's relative end of a one-sided absolute range (rangeUtil.describeTimeRange,
    dateTimeFormatTimeAgo). The months between them count in zone, the browser's (moment's from: the time is
    cloned into now's local zone), the rest in milliseconds; each unit's count is the whole span in that unit,
    rounded (Duration.as, a month 146097 / 4800 days)."""
    moment, now = round(moment * 1000) / 1000, round(now * 1000) / 1000  # moment's milliseconds: `now` is now
    here, there = datetime.fromtimestamp(now, zone), datetime.fromtimestamp(moment, zone)
    months, ms = _months_and_ms(here, there) if moment > now else _months_and_ms(there, here)
    days = js_round(months * DAYS_PER_400_YEARS / MONTHS_PER_400_YEARS)
    month_count = months + ms / 864e5 * MONTHS_PER_400_YEARS / DAYS_PER_400_YEARS
    counts = {"s": js_round(days * 86400 + ms / 1000), "m": js_round(days * 1440 + ms / 6e4),
              "h": js_round(days * 24 + ms / 36e5), "d": js_round(days + ms / 864e5),
              "M": js_round(month_count), "y": js_round(month_count / 12)}
    said = next((words.format(counts[unit]) for unit, bound, words in RELATIVE_TIME if counts[unit] <= bound),
                f"{counts['y']} years")
    return f"in {said}" if moment > now else f"{said} ago"

