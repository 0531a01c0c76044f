"""Prometheus' template functions that print a number for people (humanize, humanizeDuration, ...), ported from
template/template.go so a rule test predicts the text Prometheus writes, byte for byte."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_LARGE = ("k", "M", "G", "T", "P", "E", "Z", "Y")
_SMALL = ("m", "u", "n", "p", "f", "a", "z", "y")
_INT64 = 2 ** 63


class HumanizeError(ValueError):
    """The value is one Prometheus' function refuses (or one whose Go result is platform-defined)."""


def go_format(spec: str, value: float) -> str:
    """Go's fmt for a float verb (`%.4g`, `%.0f`): C's digits, but NaN, +Inf and -Inf spelled as Go spells them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return spec % value


def _scaled(value: float, prefixes: tuple[str, ...], step: float, smaller: bool) -> tuple[float, str]:
    """The value multiplied by step (smaller) until its magnitude reaches 1, or divided by it until the magnitude is
    under step, at most once per prefix; with the last prefix used."""
    prefix = ""
    for candidate in prefixes:
        if (abs(value) >= 1) if smaller else (abs(value) < step):
            break
        prefix = candidate
        value = value * step if smaller else value / step
    return value, prefix


def humanize(value: float) -> str:
    """`humanize`: 4 significant digits with an SI prefix, down to y(octo) and up to Y(otta)."""
    if value == 0 or math.isnan(value) or math.isinf(value):
        return go_format("%.4g", value)
    scaled, prefix = _scaled(value, _LARGE, 1000, False) if abs(value) >= 1 else _scaled(value, _SMALL, 1000, True)
    return go_format("%.4g", scaled) + prefix


def humanize1024(value: float) -> str:
    """`humanize1024`: 4 significant digits with a binary prefix (ki, Mi, ...); up to 1 in magnitude as it is."""
    if abs(value) <= 1 or math.isnan(value) or math.isinf(value):
        return go_format("%.4g", value)
    scaled, prefix = _scaled(value, tuple(p + "i" for p in _LARGE), 1024, False)
    return go_format("%.4g", scaled) + prefix


def humanize_duration(value: float) -> str:
    """`humanizeDuration`: seconds as `1d 2h 3m 4s` (whole seconds from a minute up), `54.32s`, or `500ms`."""
    if math.isnan(value) or math.isinf(value):
        return go_format("%.4g", value)
    if value == 0:
        return go_format("%.4g", value) + "s"
    if abs(value) >= 1:
        sign = "-" if value < 0 else ""
        value = abs(value)
        if value >= _INT64:  # Go's int64(v) is platform-defined past 2^63
            raise HumanizeError(f"humanizeDuration of {value} seconds: past int64, Go's result depends on the CPU")
        whole = int(value)
        seconds, minutes, hours, days = whole % 60, whole // 60 % 60, whole // 3600 % 24, whole // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{go_format('%.4g', value)}s"
    scaled, prefix = _scaled(value, _SMALL, 1000, True)
    return f"{go_format('%.4g', scaled)}{prefix}s"


def humanize_percentage(value: float) -> str:
    """`humanizePercentage`: a ratio (0.25) as a percentage with 4 significant digits (25%)."""
    return go_format("%.4g", value * 100) + "%"


def humanize_timestamp(value: float) -> str:
    """`humanizeTimestamp`: Unix seconds as Go prints a UTC time.Time, to the millisecond Prometheus keeps."""
    if math.isnan(value) or math.isinf(value):
        return go_format("%.4g", value)
    nanoseconds = value * 1e9
    if not -_INT64 <= nanoseconds < _INT64:
        raise HumanizeError(f"{value!r} cannot be represented as a nanoseconds timestamp "
                            "since it overflows int64")
    # int64(v*1e9), then model.TimeFromUnixNano's division by 1e6: both truncate toward zero
    nanos = int(nanoseconds)
    millis = abs(nanos) // 1_000_000 * (1 if nanos >= 0 else -1)
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    fraction = f".{millis % 1000:03d}".rstrip("0").rstrip(".")
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction} +0000 UTC"


FUNCTIONS: dict[str, Callable[[float], str]] = {
    "humanize": humanize,
    "humanize1024": humanize1024,
    "humanizeDuration": humanize_duration,
    "humanizePercentage": humanize_percentage,
    "humanizeTimestamp": humanize_timestamp,
}
"""Prometheus' function names, each taking the alert's value."""
