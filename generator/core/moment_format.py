"""A time written as moment.js' format() writes it in its `en` locale: what Grafana's `${var:date:<format>}` writes
(scenes formatRegistry's date format: dateTime(value).format(format), @grafana/data's moment wrapper).

The tokens are moment's (its formattingTokens pattern, here as FORMATTING): years `YYYY` `YY` `Y` `y` (`YYYYY`,
`YYYYYY` padded wider), quarters `Q`, months `M` `MM` `MMM` `MMMM`, days of the month `D` `DD`, of the year `DDD`
`DDDD`, of the week `d` (0 Sunday) `dd` `ddd` `dddd` `e` `E` (1 Monday), weeks `w` `ww` (the locale's: weeks from
Sunday, the one holding January 1st first) and `W` `WW` (ISO), their years `gggg` `GGGG`, an `o` after a number its
English ordinal (`1st`, `12th`), hours `H` `HH` `h` `hh` `k` `kk`, `a` `A`, minutes `m` `mm`, seconds `s` `ss`,
fractions `S` to `SSSSSSSSS`, `X` (epoch seconds), `x` (milliseconds), the offset `Z` `ZZ`, the era `N`; the
localized forms `LT` `LTS` `L` `LL` `LLL` `LLLL` `l` `ll` `lll` `llll` are expanded first. Text in `[...]` and a
character after `\\` is written as it is, and so is any character that is no token. `z` (the zone's abbreviation)
writes nothing: the moment is a local one (the browser's zone, which the preview takes to be UTC).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

LOCAL_FORMATS = {"LTS": "h:mm:ss A", "LT": "h:mm A", "L": "MM/DD/YYYY", "LL": "MMMM D, YYYY",
                 "LLL": "MMMM D, YYYY h:mm A", "LLLL": "dddd, MMMM D, YYYY h:mm A", "l": "M/D/YYYY",
                 "ll": "MMM D, YYYY", "lll": "MMM D, YYYY h:mm A", "llll": "ddd, MMM D, YYYY h:mm A"}
"""moment's `en` longDateFormat; the lower-case forms are the upper-case ones with a letter of MMMM, MM, DD and dddd
dropped (longDateFormat's derivation). None holds a localized token, a bracket or a backslash, so one pass of
expandFormat (which repeats while a localized token is left) expands a format fully."""
LOCAL = re.compile(r"(\[[^\[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})")
FORMATTING = re.compile(
    r"(\[[^\[]*\])|(\\)?([Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?|Qo?|N{1,5}|YYYYYY|YYYYY"
    r"|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)", re.DOTALL)
DEFAULT_FORMAT = "YYYY-MM-DDTHH:mm:ssZ"
"""moment's defaultFormat, for an empty format."""
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
"""moment's `en` names, written out: calendar.month_name is the LC_TIME locale's, and importing calendar (and locale
with it) was about 2 ms of every build's imports (core.grafana_promql imports this module)."""


def ordinal(number: int) -> str:
    """moment's `en` ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    last = number % 10
    suffix = "th" if number % 100 // 10 == 1 else {1: "st", 2: "nd", 3: "rd"}.get(last, "th")
    return f"{number}{suffix}"


def _js_day(day: date) -> int:
    """JavaScript's getDay: 0 Sunday .. 6 Saturday."""
    return (day.weekday() + 1) % 7


def _first_week_offset(year: int, dow: int, doy: int) -> int:
    first_week_day = 7 + dow - doy
    return -((7 + _js_day(date(year, 1, first_week_day)) - dow) % 7) + first_week_day - 1


def _weeks_in_year(year: int, dow: int, doy: int) -> int:
    days = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365  # as calendar.isleap
    return (days - _first_week_offset(year, dow, doy) + _first_week_offset(year + 1, dow, doy)) // 7


def week_of_year(day: date, dow: int, doy: int) -> tuple[int, int]:
    """moment's weekOfYear: (week, its year), weeks starting on dow, the first holding January (7 + dow - doy)th;
    (0, 6) the `en` locale's, (1, 4) ISO's."""
    week = (day.timetuple().tm_yday - _first_week_offset(day.year, dow, doy) - 1) // 7 + 1
    if week < 1:
        return week + _weeks_in_year(day.year - 1, dow, doy), day.year - 1
    if week > _weeks_in_year(day.year, dow, doy):
        return week - _weeks_in_year(day.year, dow, doy), day.year + 1
    return week, day.year


def _padded(number: int, width: int) -> str:
    """moment's zeroFill: the sign, then the digits padded to width (never cut)."""
    return ("-" if number < 0 else "") + str(abs(number)).zfill(width)


def _hour12(moment: datetime) -> int:
    return moment.hour % 12 or 12


def _fraction(width: int) -> Callable[[datetime, int], str]:
    """`S` .. `SSSSSSSSS`: the milliseconds as a fraction of a second, to width digits."""
    return lambda _, ms: _padded(ms % 1000 * 10 ** width // 1000, width)


TOKENS: dict[str, Callable[[datetime, int], str]] = {
    "M": lambda t, _: str(t.month), "Mo": lambda t, _: ordinal(t.month), "MM": lambda t, _: _padded(t.month, 2),
    "MMM": lambda t, _: MONTHS[t.month - 1][:3], "MMMM": lambda t, _: MONTHS[t.month - 1],
    "Q": lambda t, _: str((t.month + 2) // 3), "Qo": lambda t, _: ordinal((t.month + 2) // 3),
    "D": lambda t, _: str(t.day), "Do": lambda t, _: ordinal(t.day), "DD": lambda t, _: _padded(t.day, 2),
    "DDD": lambda t, _: str(t.timetuple().tm_yday), "DDDo": lambda t, _: ordinal(t.timetuple().tm_yday),
    "DDDD": lambda t, _: _padded(t.timetuple().tm_yday, 3),
    "d": lambda t, _: str(_js_day(t)), "do": lambda t, _: ordinal(_js_day(t)), "e": lambda t, _: str(_js_day(t)),
    "dd": lambda t, _: DAYS[_js_day(t)][:2], "ddd": lambda t, _: DAYS[_js_day(t)][:3],
    "dddd": lambda t, _: DAYS[_js_day(t)], "E": lambda t, _: str(t.isoweekday()),
    "w": lambda t, _: str(week_of_year(t, 0, 6)[0]), "wo": lambda t, _: ordinal(week_of_year(t, 0, 6)[0]),
    "ww": lambda t, _: _padded(week_of_year(t, 0, 6)[0], 2), "W": lambda t, _: str(week_of_year(t, 1, 4)[0]),
    "Wo": lambda t, _: ordinal(week_of_year(t, 1, 4)[0]), "WW": lambda t, _: _padded(week_of_year(t, 1, 4)[0], 2),
    "gg": lambda t, _: _padded(week_of_year(t, 0, 6)[1] % 100, 2),
    "gggg": lambda t, _: _padded(week_of_year(t, 0, 6)[1], 4),
    "ggggg": lambda t, _: _padded(week_of_year(t, 0, 6)[1], 5),
    "GG": lambda t, _: _padded(week_of_year(t, 1, 4)[1] % 100, 2),
    "GGGG": lambda t, _: _padded(week_of_year(t, 1, 4)[1], 4),
    "GGGGG": lambda t, _: _padded(week_of_year(t, 1, 4)[1], 5),
    "Y": lambda t, _: _padded(t.year, 4), "YY": lambda t, _: _padded(t.year % 100, 2),
    "YYYY": lambda t, _: _padded(t.year, 4), "YYYYY": lambda t, _: _padded(t.year, 5),
    "YYYYYY": lambda t, _: "+" + _padded(t.year, 6), "y": lambda t, _: str(t.year), "yo": lambda t, _: ordinal(t.year),
    "yy": lambda t, _: _padded(t.year, 2), "yyy": lambda t, _: _padded(t.year, 3),
    "yyyy": lambda t, _: _padded(t.year, 4), "N": lambda t, _: "AD", "NN": lambda t, _: "AD",
    "NNN": lambda t, _: "AD", "NNNN": lambda t, _: "Anno Domini", "NNNNN": lambda t, _: "AD",
    "H": lambda t, _: str(t.hour), "HH": lambda t, _: _padded(t.hour, 2), "h": lambda t, _: str(_hour12(t)),
    "hh": lambda t, _: _padded(_hour12(t), 2), "k": lambda t, _: str(t.hour or 24),
    "kk": lambda t, _: _padded(t.hour or 24, 2), "a": lambda t, _: "am" if t.hour < 12 else "pm",
    "A": lambda t, _: "AM" if t.hour < 12 else "PM", "m": lambda t, _: str(t.minute),
    "mm": lambda t, _: _padded(t.minute, 2), "s": lambda t, _: str(t.second), "ss": lambda t, _: _padded(t.second, 2),
    "Hmm": lambda t, _: f"{t.hour}{t.minute:02d}", "Hmmss": lambda t, _: f"{t.hour}{t.minute:02d}{t.second:02d}",
    "hmm": lambda t, _: f"{_hour12(t)}{t.minute:02d}",
    "hmmss": lambda t, _: f"{_hour12(t)}{t.minute:02d}{t.second:02d}",
    "X": lambda _, ms: str(ms // 1000), "x": lambda _, ms: str(ms), "Z": lambda t, _: "+00:00",
    "ZZ": lambda t, _: "+0000", "z": lambda t, _: "", "zz": lambda t, _: "",
    **{"S" * width: _fraction(width) for width in range(1, 10)},
}


def _long_date_format(found: re.Match[str]) -> str:
    """moment's longDateFormat for a localized token (expandFormat); a bracketed or escaped one as it is."""
    return found.group() if found.group(1) or found.group(2) else LOCAL_FORMATS[found.group(3)]


def _token(found: re.Match[str], moment: datetime, ms: int) -> str:
    bracketed, escaped, token = found.group(1), found.group(2), found.group(3)
    if bracketed:
        return bracketed[1:-1]
    write = None if escaped else TOKENS.get(token)
    return write(moment, ms) if write else token


def moment_format(ms: int, written: str) -> str:
    """The time ms (epoch milliseconds) in UTC (the browser's zone, as the preview takes it) written in format
    written; ValueError for a time Python's datetime cannot hold (years 1 to 9999)."""
    try:
        moment = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{ms} ms is not a time between the years 1 and 9999") from None
    expanded = LOCAL.sub(_long_date_format, written or DEFAULT_FORMAT)
    return FORMATTING.sub(lambda found: _token(found, moment, ms), expanded)
