"""Where a demo series sits on a healthy night: inside the band its watchers allow, at a magnitude its unit makes
plausible, swinging with a daily cycle that never crosses a threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from prometheus_client import Histogram

from generator.live.demo_bounds import Band
from generator.model import Alert

DAY = 86400
UNIT_TOP = {"percent": 100.0, "ratio": 1.0, "percentunit": 1.0}
"""Largest value a unit allows; shares of another series top out at 1 too."""
UNWATCHED = {"percent": 40.0, "ratio": 0.8, "percentunit": 0.8, "seconds": 0.2, "bytes": 4e9, "currency": 3000.0,
             "reqps": 40.0}
"""Typical level of an unwatched series of each unit (anything else: a count of about 5)."""
RATE_SCALE = {"bytes": 1e5}
"""How many times faster than a count of events (1 to 21 a second) a counter of this unit counts: a host's
network and disk traffic runs at hundreds of KB a second, not a few bytes."""
BELOW_LIMIT = 0.2
"""An upper-bounded series sits at this share of its limit (error ratios at 0.2% of a 1% line, burn rates 0.2)."""
FAILING_SHARE = 0.005
"""Most a counter's failing part (x{status=~"5.."} of x, failed of total) runs at, as a share of its whole, under
a ceiling alone: at BELOW_LIMIT of GrafanaRequestsFailing's loose 50%, a tenth of Grafana's requests failed on the
healthy demo, which reads as an outage; a healthy service fails a fraction of a percent of the time."""
QUEUED_SHARE = 0.005
"""A gauge held only under all of another (alerts queued under the queue's capacity) sits at this share of it: a
healthy queue drains as it fills (at BELOW_LIMIT, 2000 of Prometheus' 10000 alerts waited on the healthy demo)."""
ABOVE_FLOOR = 1.1
"""A lower-bounded, unitless-topped series sits this far above its floor (a week to exhaustion: 7.7 days)."""
LATENCY_MEDIAN = 0.035
LATENCY_SPREAD = 0.7
"""Log-normal request latencies: median 35 ms, p95 about 110 ms, p99 about 180 ms."""

STEADY = re.compile(r"^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?:x\d+)?$")
"""One step of promtool's series notation that holds a value (`10000x25`, `3`), its value as group 1."""

FORECAST_EDGES = {"obsgen_forecast": 1.0, "obsgen_forecast_lower": 0.85, "obsgen_forecast_upper": 1.15}
"""The sidecar's forecast and its band's edges, as multiples of the series the forecast learns from."""


@dataclass(frozen=True)
class Level:
    """A series' centre and the relative amplitude of its daily swing around it."""

    centre: float
    swing: float

    def over_day(self, seed: float) -> Callable[[float], float]:
        """The level through a day, phase-shifted by seed."""
        return lambda t: self.centre * (1 + self.swing * math.sin(2 * math.pi * (t / DAY + seed)))


def averaged(level: Level, window: float) -> Level:
    """The level of a series' average over a range window: its daily swing shrinks by sinc(window / day), gone
    for a window of a whole day or several (a 30-day error ratio does not rise and fall with the day's traffic)."""
    if window <= 0:
        return level
    phase = math.pi * window / DAY
    return Level(level.centre, level.swing * abs(math.sin(phase) / phase))


def _inside(centre: float, lower: float, upper: float) -> Level:
    """A level at centre whose swing stays clear of both edges of the band."""
    room = min(centre - lower, upper - centre) / centre if centre else 0.0
    return Level(centre, max(0.0, min(0.5, 0.8 * room)))


def level(band: Band | None, unit: str, share: bool = False) -> Level:
    """A healthy level for a series with this band (None: unwatched) and unit."""
    top = 1.0 if share else UNIT_TOP.get(unit)
    if band is None or (band.lower is None and band.upper is None):
        typical = UNWATCHED.get(unit, 5.0)
        return Level(typical, 0.5) if top is None else _inside(typical, 0.0, top)
    lower, upper = band.lower, band.upper if band.upper is not None else top
    if upper is not None and upper <= 0:
        return Level(0.0, 0.0)  # healthy means none at all: failures, missed evaluations
    if lower is None:
        assert upper is not None
        if share and upper >= 1.0:
            return Level(QUEUED_SHARE, 0.5)
        return Level(BELOW_LIMIT * upper, 0.5)
    if upper is None:
        if unit == "" and float(lower).is_integer():
            return Level(lower, 0.0)  # at least N of something countable: exactly N (one Alertmanager, up)
        return _inside(ABOVE_FLOOR * lower, lower, math.inf)
    return _inside(lower + (upper - lower) / 4, lower, upper)


def configured(alerts: Iterable[Alert], units: Callable[[str], str]) -> dict[str, float]:
    """Unitless series every firing example of the alerts holds at one value, by name: a size the server is
    configured with (Prometheus' notification queue capacity, 10000), which the demo reports as is rather than
    inventing a count of about 5. Series with a unit are left out: examples give a disk or memory size in toy
    numbers. An example that does not fire may hold a series at what silences the alert (DiskAlmostFull's
    read-only mount, node_filesystem_readonly 1): read as configured, it silenced the alert's demo episode."""
    values: dict[str, set[float]] = {}
    varying: set[str] = set()
    for alert in alerts:
        for example in (example for example in alert.examples if example.fires):
            for selector, notation in example.series.items():
                name = selector.partition("{")[0]
                found = [STEADY.match(step) for step in notation.split() if not step.startswith("_")]
                held = {float(match.group(1)) for match in found if match is not None}
                if not found or not all(found) or len(held) != 1:
                    varying.add(name)
                values.setdefault(name, set()).update(held)
    return {name: min(held) for name, held in values.items()
            if name not in varying and len(held) == 1 and units(name) == ""}


def failing_share(band: Band) -> float:
    """A counter's healthy share of its whole: its level as a share, at most FAILING_SHARE under a ceiling alone."""
    centre = level(band, "", share=True).centre
    return min(centre, FAILING_SHARE) if band.lower is None else centre


def breach(band: Band, unit: str) -> float:
    """A value past the range an alert holds a series to, for while that alert fires."""
    if band.upper is not None:
        top = UNIT_TOP.get(unit)  # a share held under all of the whole (queued under capacity) breaks past it
        return 1.5 * band.upper if top is None or band.upper >= top else min(1.5 * band.upper, (band.upper + top) / 2)
    assert band.lower is not None
    return band.lower - 1 if unit == "" and float(band.lower).is_integer() else 0.5 * band.lower


def whole_valued(value: Callable[[float], float], lower: float | None) -> Callable[[float], float]:
    """A gauge counting things (Metric.whole), at the whole number under value's, or over it where that would fall
    below the `lower` bound its watchers hold it to (a healthy 0.2 to 0.6 failed runs in a row is 0; 2.7 held to at
    least 2.5 is 3)."""
    def at(t: float) -> float:
        found = value(t)
        if not math.isfinite(found):
            return found
        below = math.floor(found)
        return float(below if lower is None or below >= lower else math.ceil(found))
    return at


def histogram_bounds(buckets: tuple[float, ...]) -> tuple[float, ...]:
    """A histogram's finite bucket bounds (Prometheus' default ones when the definition lists none)."""
    return buckets or tuple(b for b in Histogram.DEFAULT_BUCKETS if b != math.inf)


def latency_share(bound: float, scale: float) -> float:
    """Share of requests at most `bound` seconds long (log-normal), scale shifting the median per series."""
    return 0.5 * (1 + math.erf(math.log(bound / (LATENCY_MEDIAN * scale)) / (LATENCY_SPREAD * math.sqrt(2))))
