"""Seasonal forecasts and prediction bands for series fetched at a fixed step (pure numpy, no I/O).

Conventions shared by :mod:`forecast`, :mod:`anomaly` and :mod:`capacity`:

* ``values`` is a 1-D series sampled every ``step_seconds`` (a Prometheus ``query_range`` result);
  the last element is the newest sample ("now"). Forecasts start one step after it.
* Gaps are NaN (``inf`` is treated as a gap too). Every statistic ignores NaNs: seasonal references
  and levels are medians of the finite values only; a forecast step whose seasonal reference has no
  finite value falls back to the recent level. A series with no finite value raises
  :class:`InsufficientDataError` (a ``ValueError``); a history too short for the season falls back
  to a shorter season (weekly -> daily) and then to the non-seasonal level forecast.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DAY_SECONDS = 86_400.0
WEEK_SECONDS = 7 * DAY_SECONDS
DEFAULT_N_SEASONS = 5
DEFAULT_MIN_SEASONS = 2
DEFAULT_LEVEL_FRACTION = 1 / 4
SHAPE_STANDARD_ERRORS = 4.0
SHAPE_PHASES = 5
"""Neighbouring phases whose median a phase of a season's shape is held within a standard error of
(seasonal_profile): each phase's own median keeps its noise, and a time to exhaustion is the first phase whose noise
dips to the limit. A disk filling to the top of its cleanup cycle was predicted full an hour ahead too early by a
median 50% (38% without the shape). The phase is held near the median, not replaced by it: a median of 5 cuts the
top of a cleanup's sawtooth by two steps of writing, and predicted those disks a cycle late a day ahead (0.02 ->
0.19). bench/capacity_synthetic.py measures it; a phase whose median (about 1/1.8 the standard error of one) is
within SHAPE_STANDARD_ERRORS of 0 is 0."""
_CHUNK_ELEMENTS = 500_000  # rows sorted at once: ~4 MB per temporary, as fast as larger chunks


class InsufficientDataError(ValueError):
    """Raised when a series has too few finite values for the requested computation."""


def as_series(values: npt.ArrayLike) -> FloatArray:
    """Return ``values`` as a 1-D float64 array with non-finite entries replaced by NaN."""
    arr = np.array(values, dtype=np.float64, ndmin=1)
    if arr.ndim != 1:
        raise ValueError(f"expected a 1-D series, got shape {arr.shape}")
    arr[~np.isfinite(arr)] = np.nan
    return arr


def finite_series(values: npt.ArrayLike, least: int = 1) -> FloatArray:
    """:func:`as_series` of a series holding at least ``least`` finite samples (a forecast needs one, a trend two),
    else :class:`InsufficientDataError`."""
    arr = as_series(values)
    if np.count_nonzero(np.isfinite(arr)) < least:
        raise InsufficientDataError("series has no finite values" if least == 1 else
                                    f"series has fewer than {least} finite values")
    return arr


def nanmedian_rows(a: FloatArray) -> FloatArray:
    """Median of the finite values of each row of a 2-D array (NaN for rows without one), warning-free."""
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    srt = np.sort(a, axis=1)  # NaNs sort last
    count = np.isfinite(a).sum(axis=1)
    lo = np.clip((count - 1) // 2, 0, a.shape[1] - 1)
    hi = np.clip(count // 2, 0, a.shape[1] - 1)
    rows = np.arange(a.shape[0])
    med: FloatArray = 0.5 * (srt[rows, lo] + srt[rows, hi])
    med[count == 0] = np.nan
    return med


def nanquantile_rows(a: FloatArray, q: float) -> FloatArray:
    """Linear-interpolated ``q`` quantile of the finite values of each row (NaN for rows without one)."""
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    srt = np.sort(a, axis=1)
    count = np.isfinite(a).sum(axis=1)
    pos = q * np.maximum(count - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    rows = np.arange(a.shape[0])
    frac = pos - lo
    out: FloatArray = srt[rows, lo] * (1.0 - frac) + srt[rows, hi] * frac
    out[count == 0] = np.nan
    return out


def nanmedian(values: npt.ArrayLike) -> float:
    """Median of the finite values (NaN when there is none), without numpy's all-NaN warning."""
    x = as_series(values)
    return float(nanmedian_rows(x[None, :])[0])


def rolling_nanmedian(values: npt.ArrayLike, window: int, start: int = 0) -> FloatArray:
    """Causal rolling median: element i is the median of the finite values in ``values[i-window:i]``.

    Only elements from ``start`` on are computed (the rest NaN).
    """
    x = as_series(values)
    if window < 1:
        raise ValueError("window must be >= 1")
    padded = np.concatenate([np.full(window, np.nan), x[:-1]]) if x.size else x
    out = np.full(x.size, np.nan)
    if x.size == 0:
        return out
    views = np.lib.stride_tricks.sliding_window_view(padded, window)
    chunk = max(1, _CHUNK_ELEMENTS // window)
    for first in range(max(start, 0), x.size, chunk):
        out[first : first + chunk] = nanmedian_rows(views[first : first + chunk])
    return out


def season_candidates(season_seconds: float | None) -> tuple[float, ...]:
    """The seasons a declared one is read as, in order of preference: itself, then the daily one under a longer
    season (weekly falls back to daily); none without a season."""
    if season_seconds is None or season_seconds <= 0:
        return ()
    return (season_seconds, DAY_SECONDS) if season_seconds > DAY_SECONDS else (season_seconds,)


def season_steps_for(
    n_values: int, step_seconds: float, season_seconds: float | None, min_seasons: int = DEFAULT_MIN_SEASONS
) -> int | None:
    """Season length in steps that fits ``min_seasons`` times in ``n_values`` (weekly falls back to daily)."""
    _check_step(step_seconds)
    for seconds in season_candidates(season_seconds):
        steps = round(seconds / step_seconds)
        if steps >= 2 and n_values >= min_seasons * steps:
            return steps
    return None


def level_steps_for(step_seconds: float, season_steps: int | None, level_seconds: float | None) -> int:
    """Number of recent steps used for the level adjustment (default: a quarter of the season, >= 3)."""
    if level_seconds is not None:
        return max(1, round(level_seconds / step_seconds))
    if season_steps is None:
        return 12
    return max(3, round(season_steps * DEFAULT_LEVEL_FRACTION))


def seasonal_reference(
    values: FloatArray, season_steps: int, n_seasons: int, targets: IntArray, last_observed: IntArray
) -> FloatArray:
    """Median of the same phase over the ``n_seasons`` latest seasons observed up to ``last_observed``."""
    ahead = np.maximum(targets - last_observed, 1)
    first = -(-ahead // season_steps)  # ceil: first whole season back that is already observed
    lags = (first[:, None] + np.arange(n_seasons)[None, :]) * season_steps
    idx = targets[:, None] - lags
    valid = idx >= 0
    ref = np.where(valid, values[np.clip(idx, 0, max(values.size - 1, 0))], np.nan)
    return nanmedian_rows(ref)


def seasonal_forecast(
    values: npt.ArrayLike,
    step_seconds: float,
    season_seconds: float | None,
    horizon_steps: int,
    n_seasons: int = DEFAULT_N_SEASONS,
    *,
    level_seconds: float | None = None,
    min_seasons: int = DEFAULT_MIN_SEASONS,
) -> FloatArray:
    """Forecast ``horizon_steps`` steps: same-phase median of past seasons plus the recent median deviation.

    Without a usable season (``season_seconds`` None or history shorter than ``min_seasons`` seasons,
    weekly falling back to daily first) the forecast is flat at the median of the recent level window.
    """
    if horizon_steps < 1:
        raise ValueError("horizon_steps must be >= 1")
    if n_seasons < 1:
        raise ValueError("n_seasons must be >= 1")
    x = finite_series(values)
    n = x.size
    s = season_steps_for(n, step_seconds, season_seconds, min_seasons)
    window = level_steps_for(step_seconds, s, level_seconds)
    flat = nanmedian(x[-window:])
    if math.isnan(flat):
        flat = float(x[np.isfinite(x)][-1])
    if s is None:
        return np.full(horizon_steps, flat)
    targets = np.arange(n, n + horizon_steps, dtype=np.int64)
    ref = seasonal_reference(x, s, n_seasons, targets, np.full(horizon_steps, n - 1, dtype=np.int64))
    recent = np.arange(max(0, n - window), n, dtype=np.int64)
    deviation = x[recent] - seasonal_reference(x, s, n_seasons, recent, recent - 1)
    level = nanmedian(deviation)
    forecast = ref + (0.0 if math.isnan(level) else level)
    return np.where(np.isnan(ref), flat, forecast)


def one_step_forecasts(
    values: npt.ArrayLike,
    step_seconds: float,
    season_seconds: float | None,
    n_seasons: int = DEFAULT_N_SEASONS,
    *,
    level_seconds: float | None = None,
    min_seasons: int = DEFAULT_MIN_SEASONS,
    start: int = 0,
) -> FloatArray:
    """Causal one-step forecasts: element i is ``seasonal_forecast(values[:i], ..., 1)`` (NaN if no history).

    The season is chosen per element from the history available at that point, so nothing at or
    after i is used. Vectorised; NaN where the recent level window holds no finite value, and
    before ``start`` (elements from there on are the same whatever ``start`` is).
    """
    x = as_series(values)
    n = x.size
    start = min(max(start, 0), n)
    out = np.full(n, np.nan)
    _check_step(step_seconds)
    seasons: list[int | None] = [None]
    for seconds in reversed(season_candidates(season_seconds)):
        steps = round(seconds / step_seconds)
        if steps >= 2:
            seasons.append(steps)
    for s in seasons:  # shortest first, so longer seasons overwrite once enough history exists
        window = level_steps_for(step_seconds, s, level_seconds)
        flat = rolling_nanmedian(x, window, start)
        if s is None:
            out = flat
            continue
        idx = np.arange(max(0, start - window), n, dtype=np.int64)  # what the level windows read
        ref = np.full(n, np.nan)
        ref[idx] = seasonal_reference(x, s, n_seasons, idx, idx - 1)
        level = rolling_nanmedian(x - ref, window, start)
        forecast = np.where(np.isnan(ref), flat, ref + np.nan_to_num(level, nan=0.0))
        out = np.where(np.arange(n) >= min_seasons * s, forecast, out)
    return out


def seasonal_profile(
    values: npt.ArrayLike, season_steps: int, min_seasons: int = DEFAULT_MIN_SEASONS
) -> FloatArray | None:
    """The season's shape around the series' own trend: element p for the phase p steps after the newest sample's.

    Each value's deviation from the mean of the season centred on it (a moving mean over one season follows the
    trend and holds no cycle), its median over the seasons at each phase. So a steady growth leaves the shape
    flat and a daily cycle is the shape. Each phase is then held within a standard error of the median of its
    ``SHAPE_PHASES`` neighbours (seasons of 20 steps and more), and one whose median is within
    ``SHAPE_STANDARD_ERRORS`` standard errors of 0 is 0: a series without a season keeps no shape of its noise
    (whose highest phase, replayed, would read as the series reaching a limit early). None when a phase has fewer
    than ``min_seasons`` deviations.
    """
    x = as_series(values)
    n, s = x.size, season_steps
    if s < 2 or n < s:
        return None
    ok = np.isfinite(x)
    sums = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    counts = np.concatenate([[0], np.cumsum(ok)])
    centre = np.arange(s // 2, n - s + s // 2 + 1)  # the season [i - s//2, i - s//2 + s) lies in the series
    first = centre - s // 2
    seen = counts[first + s] - counts[first]
    mean = (sums[first + s] - sums[first]) / np.maximum(seen, 1)
    deviation = np.full(n, np.nan)
    deviation[centre] = np.where(seen * 2 >= s, x[centre] - mean, np.nan)
    front = (-n) % s  # NaN before the oldest sample so that the newest one ends a row
    rows = np.concatenate([np.full(front, np.nan), deviation]).reshape(-1, s).T
    seen_at = np.isfinite(rows).sum(axis=1)
    if (seen_at < min_seasons).any():
        return None
    profile = nanmedian_rows(rows)
    # a median's standard error (1.25 sd / sqrt(n)), the sd from the deviations' spread around the profile
    spread = 1.4826 * nanmedian(np.abs(rows - profile[:, None]).ravel())
    error = 1.2533 * spread / np.sqrt(seen_at)
    if s >= 4 * SHAPE_PHASES:
        half = SHAPE_PHASES // 2
        around = np.concatenate([profile[-half:], profile, profile[:half]])  # the phases go round
        smooth = np.median(np.lib.stride_tricks.sliding_window_view(around, SHAPE_PHASES), axis=1)
        profile = np.clip(profile, smooth - error, smooth + error)
        profile[np.abs(smooth) <= SHAPE_STANDARD_ERRORS * error / math.sqrt(SHAPE_PHASES / 1.5)] = 0.0
    else:
        profile[np.abs(profile) <= SHAPE_STANDARD_ERRORS * error] = 0.0
    return np.roll(profile, 1)  # row s - 1 is the newest sample's phase


def seasonal_naive_forecast(values: npt.ArrayLike, season_steps: int | None, horizon_steps: int) -> FloatArray:
    """Baseline: repeat the value one season earlier (the last value when ``season_steps`` is None)."""
    x = as_series(values)
    if x.size == 0:
        raise InsufficientDataError("empty series")
    s = 1 if season_steps is None else season_steps
    k = np.arange(1, horizon_steps + 1)
    lag = -(-k // s) * s
    idx = x.size - 1 + k - lag
    return np.where(idx >= 0, x[np.clip(idx, 0, None)], np.nan)


def prediction_band(
    forecast: npt.ArrayLike, residuals: npt.ArrayLike, coverage: float = 0.95, n_buckets: int = 1
) -> tuple[FloatArray, FloatArray]:
    """Band (lower, upper) = forecast + empirical residual quantiles at ``(1 -+ coverage) / 2``.

    ``residuals`` is (origins, horizon) as from :func:`backtest_residuals` or 1-D. Residuals are pooled
    over all leads by default; ``n_buckets`` > 1 pools within that many lead-time buckets instead
    (leads beyond the residuals' width use the last bucket). NaN band where no finite residual exists.
    """
    fc = as_series(forecast)
    if not 0.0 < coverage < 1.0:
        raise ValueError("coverage must be in (0, 1)")
    res = np.asarray(residuals, dtype=np.float64)
    res = res.reshape(-1, 1) if res.ndim == 1 else res
    width = max(1, res.shape[1])
    buckets = max(1, min(n_buckets, width))
    edges = np.linspace(0, width, buckets + 1).round().astype(int)
    alpha = 1.0 - coverage
    lower = np.full(fc.size, np.nan)
    upper = np.full(fc.size, np.nan)
    lead_bucket = np.searchsorted(edges[1:], np.minimum(np.arange(fc.size), width - 1), side="right")
    for b in range(buckets):
        pooled = res[:, edges[b] : edges[b + 1]].ravel()
        pooled = pooled[np.isfinite(pooled)]
        if pooled.size == 0:
            continue
        q_lo, q_hi = np.quantile(pooled, [alpha / 2, 1 - alpha / 2])
        sel = lead_bucket == b
        lower[sel] = fc[sel] + q_lo
        upper[sel] = fc[sel] + q_hi
    return lower, upper


def _check_step(step_seconds: float) -> None:
    if not step_seconds > 0:
        raise ValueError("step_seconds must be > 0")
