"""Robust linear trends, time to exhaustion and capacity recommendations (pure numpy, no I/O).

Time to exhaustion looks at several spans: a trend over the whole history is right for steady growth
but late when growth accelerates, and blind to the last hours before a full disk whose usage drops
at every cleanup; a trend over the last hours is right then but noisy a week ahead. So trends are
fitted over the last hour, 6 hours, day, 3 days and the whole history (a span needs
``MIN_TREND_SAMPLES`` samples to count), each extrapolated at most ``TRUSTED_WINDOWS`` times its span,
and the soonest exhaustion among them counts. The whole history is no exception: two hours after a restart,
the rising half of a daily cycle is not a trend to extrapolate to a full memory 14 hours away.
With a season (the forecast's), the trends are of the series without its season, and the season is
replayed on top of each: a cycle that peaks below the limit never reaches it, whatever hour it is, while
a leak on top of one reaches the limit at the top of a cycle. Before the season's shape is known (three
seasons seen), the last season is replayed as it was, plus the growth from one season to the next; in the
first season, cycle and growth cannot be told apart and the trends count as without a season.
bench/capacity_synthetic.py measures these.

Series conventions are those of :mod:`generator.exporter.forecast`: fixed ``step_seconds``, newest
sample last, NaN gaps ignored. Fewer than two finite samples raise :class:`InsufficientDataError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from generator.exporter.forecast import (
    DAY_SECONDS,
    FloatArray,
    as_series,
    finite_series,
    nanmedian,
    season_candidates,
    seasonal_profile,
)

Direction = Literal["up", "down"]
Severity = Literal["critical", "warning", "info", "ok"]

MAX_TREND_POINTS = 256
TREND_WINDOWS: tuple[float | None, ...] = (3600.0, 6 * 3600.0, DAY_SECONDS, 3 * DAY_SECONDS, None)
"""Spans of the trends time_to_exhaustion compares, in seconds (None: the whole history)."""
REPLAYED_WINDOWS = tuple(window for window in TREND_WINDOWS if window is None or window >= 6 * 3600.0)
"""The spans of the trends replayed_exhaustion_seconds adds: a value less the one a season before is twice as noisy
as the value, and an hour of it (12 samples at 5m) read noise as a rise of 15% an hour on a noisy memory cycle."""
SHAPE_SEASONS = 3
"""Seasons a series is seen over before its shape is used: with fewer, the deviations from the season around each
value are partly from half a season's mean, which holds half a cycle (memory at 50% +-10% a day, noise sd 3, read
2.5 days of it as growth a day from full 5% of the time)."""
TRUSTED_WINDOWS = 3.0
MIN_TREND_SAMPLES = 12
LEVEL_FRACTION = 1 / 8
LEVEL_MAX_SECONDS = 6 * 3600.0
DEFAULT_CRITICAL_SECONDS = DAY_SECONDS
DEFAULT_WARNING_SECONDS = 7 * DAY_SECONDS


@dataclass(frozen=True)
class Trend:
    """Straight-line trend: ``value(t) = intercept + slope_per_second * t``, t = 0 at the newest sample."""

    slope_per_second: float
    intercept: float

    def at(self, seconds_from_now: float) -> float:
        """Trend value ``seconds_from_now`` after the newest sample (negative: in the past)."""
        return self.intercept + self.slope_per_second * seconds_from_now


@dataclass(frozen=True)
class Recommendation:
    """A capacity finding for one resource, with the text an exporter puts in a label or annotation."""

    name: str
    resource: str
    seconds_to_exhaustion: float
    severity: Severity
    message: str


def linear_trend(values: npt.ArrayLike, step_seconds: float, max_points: int = MAX_TREND_POINTS) -> Trend:
    """Theil-Sen trend (median of pairwise slopes, median intercept) of the finite samples.

    Longer series are first reduced to at most ``max_points`` bucket medians (time at the bucket's
    median finite sample), which keeps the cost O(max_points^2) and the estimate robust.
    """
    if not step_seconds > 0:
        raise ValueError("step_seconds must be > 0")
    y = finite_series(values, 2)
    t = (np.arange(y.size, dtype=np.float64) - (y.size - 1)) * step_seconds
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    if y.size > max_points:
        groups = np.array_split(np.arange(y.size), max_points)
        t = np.array([float(np.median(t[g])) for g in groups])
        y = np.array([float(np.median(y[g])) for g in groups])
    i, j = np.triu_indices(y.size, k=1)
    dt = t[j] - t[i]
    slopes = (y[j] - y[i])[dt > 0] / dt[dt > 0]
    slope = float(np.median(slopes))
    return Trend(slope, nanmedian(y - slope * t))


def time_to_exhaustion(values: npt.ArrayLike, step_seconds: float, limit: float, direction: Direction = "up",
                       season_seconds: float | None = None) -> float:
    """Seconds from the newest sample until the series reaches ``limit``; ``math.inf`` if it never does.

    ``direction="up"`` is usage growing towards a capacity (disk used vs size), ``"down"`` a
    remainder shrinking towards a floor (free bytes vs 0). 0.0 when it is already at or past it.
    The soonest exhaustion of the :data:`TREND_WINDOWS` trends, each trusted up to ``TRUSTED_WINDOWS``
    times its span, the whole history's too (see the module's docstring). With ``season_seconds`` and its
    shape seen at every phase (:func:`season_shape`), the trends are of the series without its season, and
    each goes on with the season replayed on top of it.
    """
    y = finite_series(values, 2)
    return _exhaustion(y, step_seconds, limit, direction, season_seconds, first_season(y, step_seconds, season_seconds))


def _exhaustion(y: FloatArray, step_seconds: float, limit: float, direction: Direction, season_seconds: float | None,
                young: bool) -> float:
    """:func:`time_to_exhaustion` of a trendable series, whose :func:`first_season` (young) is judged already."""
    if young and not within_seen_range(y, limit, direction):
        return math.inf
    shape = season_shape(y, step_seconds, season_seconds)
    if shape is None and (lag := replayable_season_steps(y, step_seconds, season_seconds)) is not None:
        return replayed_exhaustion_seconds(y, step_seconds, lag, limit, direction)
    if shape is not None:
        y = y - shape[(np.arange(y.size) - (y.size - 1)) % shape.size]
    soonest = math.inf
    for window in TREND_WINDOWS:
        span = y if window is None else y[-max(2, round(window / step_seconds)) :]
        if np.isfinite(span).sum() < (2 if window is None else MIN_TREND_SAMPLES):
            continue
        trusted = TRUSTED_WINDOWS * _seen_seconds(span, step_seconds)
        trend = recent_trend(span, step_seconds)
        if shape is None:
            seconds = exhaustion_seconds(trend, limit, direction)
        else:
            seconds = seasonal_exhaustion_seconds(trend, shape, step_seconds, limit, direction, trusted)
        if seconds <= trusted:
            soonest = min(soonest, seconds)
    return soonest


def first_season(values: FloatArray, step_seconds: float, season_seconds: float | None) -> bool:
    """Whether a series with a declared season is in its first one: seen for less than its shortest candidate season
    and ``MIN_TREND_SAMPLES`` steps, so no season of it can be replayed yet (:func:`replayable_season_steps`)."""
    candidates = season_candidates(season_seconds)
    return bool(candidates) and _seen_seconds(values, step_seconds) < min(candidates) + MIN_TREND_SAMPLES * step_seconds


def within_seen_range(values: FloatArray, limit: float, direction: Direction) -> bool:
    """Whether ``limit`` lies within the series' own range beyond its extreme: at most as far above its highest
    median of ``MIN_TREND_SAMPLES`` samples (below its lowest, ``direction="down"``) as that highest is above the
    lowest.

    In a series' first season a cycle and a growth cannot be told apart: trends over the rising half of a daily
    cycle (memory at 55% +-10-15%, seen 6, 12 or 20 hours) predicted it full within a day 24%, 39% and 40% of the
    time. A cycle of about the range seen never goes that far, a steady growth gets there in about the time it has
    been seen (a memory filling at a constant rate, seen 6 to 20 hours, is still predicted within 1% when it is full
    in half as long again as it has been seen, and from 12 hours on in 0.75 times as long; not past that:
    bench/capacity_synthetic.py's young rows). Medians of
    MIN_TREND_SAMPLES keep noise and spikes out of the range (with the raw extremes, 50% +-10% with noise sd 3 and
    1% of spikes of +15 was predicted full within a week 28% of the time at 20 hours).
    """
    finite = values[np.isfinite(values)]
    blocks = finite[finite.size % MIN_TREND_SAMPLES :].reshape(-1, MIN_TREND_SAMPLES) if finite.size >= \
        MIN_TREND_SAMPLES else finite[None, :]
    medians = np.median(blocks, axis=1)
    low, high = float(medians.min()), float(medians.max())
    return limit <= 2 * high - low if direction == "up" else limit >= 2 * low - high


def season_shape(values: FloatArray, step_seconds: float, season_seconds: float | None) -> FloatArray | None:
    """The series' season around its trend (:func:`~generator.exporter.forecast.seasonal_profile`), element 0 at
    the newest sample's phase: the declared season's, else the daily one under a longer season; None without a
    season or before its shape is seen twice at every phase.

    A trend over hours of a daily cycle reads its rising half as growth: memory at 55% +-10% a day was predicted
    full within 24 h 17% of the time. Trends of the series without the season see only what grows from season
    to season, and the season replayed on top makes a growth reach the limit at the top of a cycle.
    """
    seen = _seen_seconds(values, step_seconds)
    for seconds in season_candidates(season_seconds):
        steps = round(seconds / step_seconds)
        if steps >= 2 and seen >= SHAPE_SEASONS * seconds and (shape := seasonal_profile(values, steps)) is not None:
            return shape
    return None


def seasonal_exhaustion_seconds(trend: Trend, shape: FloatArray, step_seconds: float, limit: float,
                                direction: Direction, within: float) -> float:
    """Seconds until ``trend`` plus ``shape`` (repeating, element k at k steps from now) first reaches ``limit``,
    looked for up to ``within`` seconds (inf past it), linear between steps."""
    k = _steps_ahead(step_seconds, within)
    return _first_reached(trend.intercept + trend.slope_per_second * step_seconds * k + shape[k % shape.size],
                          step_seconds, limit, direction)


def replayable_season_steps(values: FloatArray, step_seconds: float, season_seconds: float | None) -> int | None:
    """The season, in steps, that :func:`replayed_exhaustion_seconds` can replay before its shape is known: the first
    of the declared season's candidates seen ``MIN_TREND_SAMPLES`` times a season apart; None if none is."""
    for seconds in season_candidates(season_seconds):
        steps = round(seconds / step_seconds)
        if 2 <= steps < values.size:
            both = np.isfinite(values[steps:]) & np.isfinite(values[:-steps])
            if both.sum() >= MIN_TREND_SAMPLES:
                return steps
    return None


def replayed_exhaustion_seconds(values: FloatArray, step_seconds: float, season_steps: int, limit: float,
                                direction: Direction) -> float:
    """Time to exhaustion of a series seen for one to three seasons, its season's shape not known yet: the last season
    replayed, plus the growth from one season to the next.

    Trends of the series itself read the rising half of a daily cycle as growth: memory at 55% +-15% a day, after a
    restart a day or two ago, was predicted full within a day half of the time. Each value less the one a season
    before (its growth) holds no cycle. Their median is the growth per season, added once per season ahead and
    trusted ``TRUSTED_WINDOWS`` times the time it is seen over (a season at least). Their trends over the
    :data:`REPLAYED_WINDOWS` add how much faster the series grows now than a season before (a leak that started
    today), each trusted ``TRUSTED_WINDOWS`` times its span.
    """
    growth = values[season_steps:] - values[:-season_steps]
    newest = values.size - 1
    candidates = [(Trend(0.0, nanmedian(growth)), season_steps * step_seconds + _seen_seconds(growth, step_seconds))]
    for window in REPLAYED_WINDOWS:
        span = growth if window is None else growth[-round(window / step_seconds) :]
        if np.isfinite(span).sum() >= MIN_TREND_SAMPLES:
            candidates.append((recent_trend(span, step_seconds), _seen_seconds(span, step_seconds)))
    soonest = math.inf
    for trend, seen in candidates:
        trusted = TRUSTED_WINDOWS * seen
        k = _steps_ahead(step_seconds, trusted)
        seasons = -(-k // season_steps)
        path = (values[newest + k - season_steps * seasons] + trend.intercept * seasons
                + trend.slope_per_second * step_seconds * k)
        seconds = _first_reached(path, step_seconds, limit, direction)
        if seconds <= trusted:
            soonest = min(soonest, seconds)
    return soonest


def _steps_ahead(step_seconds: float, within: float) -> npt.NDArray[np.int64]:
    """0, 1, ... steps from now, past ``within`` seconds by a step."""
    return np.arange(0, min(int(within / step_seconds), 1 << 20) + 2)


def _first_reached(path: FloatArray, step_seconds: float, limit: float, direction: Direction) -> float:
    """Seconds until ``path`` (element k at k steps from now; NaN unknown) first reaches ``limit``, linear between
    steps; inf if it does not."""
    gap = limit - path if direction == "up" else path - limit
    reached = np.flatnonzero(gap <= 0)
    if not reached.size:
        return math.inf
    at = int(reached[0])
    if at == 0:
        return 0.0
    if not math.isfinite(gap[at - 1]):
        return step_seconds * at
    return step_seconds * (at - 1 + float(gap[at - 1] / (gap[at - 1] - gap[at])))


def _seen_seconds(span: FloatArray, step_seconds: float) -> float:
    """How much time a span's data covers: from its first finite sample to its end (a history asked for two
    weeks holds two hours, and NaN, after a restart)."""
    finite = np.flatnonzero(np.isfinite(span))
    return float(span.size - finite[0]) * step_seconds if finite.size else 0.0


def recent_trend(values: npt.ArrayLike, step_seconds: float) -> Trend:
    """Theil-Sen slope of ``values`` through the median level of their newest ``LEVEL_FRACTION`` (6 h at most).

    The level is the newest stretch's, not the whole span's, so a cleanup or a restart that freed
    space hours before counts.
    """
    y = as_series(values)
    trend = linear_trend(y, step_seconds)
    newest = max(3, min(round(y.size * LEVEL_FRACTION), round(LEVEL_MAX_SECONDS / step_seconds)))
    t = (np.arange(y.size, dtype=np.float64) - (y.size - 1)) * step_seconds
    level = nanmedian(y[-newest:] - trend.slope_per_second * t[-newest:])
    return Trend(trend.slope_per_second, trend.intercept if math.isnan(level) else level)


def exhaustion_seconds(trend: Trend, limit: float, direction: Direction = "up") -> float:
    """Seconds until ``trend`` crosses ``limit`` moving in ``direction`` (0.0 if past, inf if never)."""
    gap = limit - trend.intercept if direction == "up" else trend.intercept - limit
    if gap <= 0:
        return 0.0
    speed = trend.slope_per_second if direction == "up" else -trend.slope_per_second
    return gap / speed if speed > 0 else math.inf


def format_duration(seconds: float) -> str:
    """Compact human duration: '45 s', '12 min', '5 h', '3 d', '6 w', or 'never' for inf."""
    if math.isinf(seconds) or math.isnan(seconds):
        return "never"
    for unit, size in (("w", 7 * DAY_SECONDS), ("d", DAY_SECONDS), ("h", 3600.0), ("min", 60.0)):
        if seconds >= 2 * size or (unit != "w" and seconds >= size):
            return f"{seconds / size:.0f} {unit}"
    return f"{max(seconds, 0.0):.0f} s"


def capacity_recommendation(
    name: str,
    values: npt.ArrayLike,
    step_seconds: float,
    limit: float,
    *,
    resource: str = "disk",
    direction: Direction = "up",
    critical_seconds: float = DEFAULT_CRITICAL_SECONDS,
    warning_seconds: float = DEFAULT_WARNING_SECONDS,
    season_seconds: float | None = None,
) -> Recommendation:
    """Recommendation such as 'disk on db-1 full in 3 d' from the time to exhaustion of ``values``.

    Severity: critical below ``critical_seconds``, warning below ``warning_seconds``, info when it
    will fill later, ok when the trend never reaches the limit (in the season's first one, the message says it is
    only within the range seen: :func:`within_seen_range`). ``season_seconds``: the series' season, as
    :func:`time_to_exhaustion` takes it.
    """
    series = finite_series(values, 2)
    young = first_season(series, step_seconds, season_seconds)
    seconds = _exhaustion(series, step_seconds, limit, direction, season_seconds, young)
    severity: Severity
    if seconds < critical_seconds:
        severity = "critical"
    elif seconds < warning_seconds:
        severity = "warning"
    elif math.isinf(seconds):
        severity = "ok"
    else:
        severity = "info"
    if seconds == 0.0:
        message = f"{resource} on {name} is full"
    elif math.isinf(seconds) and young:
        seen = format_duration(_seen_seconds(series, step_seconds))
        message = f"{resource} on {name} is not filling up within the range of its first {seen}"
    elif math.isinf(seconds):
        message = f"{resource} on {name} is not filling up"
    else:
        message = f"{resource} on {name} full in {format_duration(seconds)}"
    return Recommendation(name, resource, seconds, severity, message)

