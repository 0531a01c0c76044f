"""Prometheus durations: accepted as "5m", "1h30m" or integer seconds (stored as e.g. "5m")."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_DURATION = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_LONGEST_MS = (2**63 - 1) // 1_000_000
"""Prometheus holds a duration as Go's time.Duration, int64 nanoseconds: a longer one (about 292 years) is "duration
out of range" to it (prometheus/common model.ParseDuration), and promtool refuses the file."""


@lru_cache(maxsize=1024)  # pure, and called per minute simulated by the SLO scenarios
def parse_seconds(text: str) -> float:
    """Seconds in a Prometheus duration string; raises ValueError on anything else."""
    match = _DURATION.match(text)
    if not text or match is None:
        raise ValueError(f"{text!r} is not a Prometheus duration (use e.g. 30s, 5m, 1h30m, 7d)")
    values = match.groups()[1::2]
    millis = sum(int(v) * round(unit * 1000) for v, unit in zip(values, _UNITS.values(), strict=True) if v)
    if millis > _LONGEST_MS:
        raise ValueError(f"{text!r} is longer than the longest duration Prometheus reads (about 292 years)")
    return millis / 1000


def format_seconds(seconds: float) -> str:
    """Canonical Prometheus duration for a number of seconds ("0s", "90s" -> "1m30s")."""
    if seconds < 0:
        raise ValueError(f"duration {seconds} is negative")
    millis = round(seconds * 1000)
    if millis == 0:
        return "0s"
    parts = []
    for unit, size in (("w", 604800000), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
        count, millis = divmod(millis, size)
        if count:
            parts.append(f"{count}{unit}")
    if millis:
        parts.append(f"{millis}ms")
    return "".join(parts)


def _canonical(value: object) -> str:
    if isinstance(value, bool):
        raise ValueError("a duration must be a string such as '5m' or a number of seconds")
    if isinstance(value, int | float):
        return format_seconds(float(value))
    if isinstance(value, str):
        parse_seconds(value)
        return value
    raise ValueError("a duration must be a string such as '5m' or a number of seconds")


Duration = Annotated[str, BeforeValidator(_canonical)]
"""A validated Prometheus duration string; numbers of seconds become canonical strings."""


def scale(duration: str, factor: float) -> str:
    """A duration multiplied by factor, rounded to whole seconds (at least 1s when non-zero)."""
    seconds = parse_seconds(duration) * factor
    return format_seconds(max(1.0, round(seconds)) if seconds > 0 else 0.0)


def go_duration(seconds: float) -> str:
    """A duration Go's time.ParseDuration accepts, in whole hours, minutes and seconds."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "") + (f"{secs}s" if secs else "")
    return text or "0s"
