"""Streaming anomaly scores and detections (pure numpy): forecast residuals, range and pattern novelty.

The score of sample i uses only ``values[:i+1]``. Three signals, each a ratio where 1 is the edge of
normal:

* **residual**: ``|actual - one-step seasonal forecast|``, and the median residual of the last hour
  (a level shift), each over its own trailing 99th percentile of the last 3 days (at least 864
  samples, so that at coarse steps the percentile is not just the largest of a few dozen);
* **range**: :func:`~generator.exporter.novelty.range_novelty`, beyond the range of all history;
* **pattern**: the distance from the last 2 hours' shape (8 blocks of 15 minutes) to the nearest
  earlier one (:func:`~generator.exporter.novelty.nearest_past_distance`), over its trailing 99th
  percentile of the last 3 days;
* **level shift** (:func:`level_shift_score`): ``|median(last hour) - median(the day before it)|`` over
  that day's robust sigma, over its own trailing 99th percentile (issue 19, bench/nab/levelshift.py).

The residual and pattern scales are floored at ``RELATIVE_FLOOR`` of the series' trailing median
absolute value: on perfectly smooth history they would otherwise calibrate to rounding error and
any wobble would score in the millions. Where a scale is still 0 (a series 0 for 99 % of its window)
the residual and pattern of a move are NaN, undefined and not exported, rather than +Inf; the level shift
off a day exactly 0 takes its sigma from its own level and scores high but finite.

``score = max(range / range_threshold, pattern / pattern_threshold, level shift / shift_threshold,
min(residual / residual_threshold, pattern / (residual_gate * pattern_threshold)))``: a residual
counts only where the pattern is new too, so a spike that recurs every night but drifts past the
seasonal forecast does not alarm every night (the level shift, with a threshold of its own, is not
gated). The score is anomalous above 1.

:func:`detect` raises an alarm at the first sample above 1 and re-arms once the score has stayed at
or below 1 for ``rearm_seconds`` and ``min_gap_seconds`` have passed since the alarm: one alarm per
episode, as an alert that fires once and resolves.

``DetectorParams``' defaults are what bench/forecast_nab.py's cross-validation chooses on NAB (it
prints them); nothing else here was fitted to a benchmark beyond the layout of the signals and their
calibration windows (``TAIL_MIN_SAMPLES`` was kept after seeing NAB's held-out figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from generator.exporter.forecast import (
    DAY_SECONDS,
    DEFAULT_MIN_SEASONS,
    DEFAULT_N_SEASONS,
    FloatArray,
    as_series,
    nanmedian_rows,
    nanquantile_rows,
    one_step_forecasts,
    rolling_nanmedian,
)
from generator.exporter.novelty import block_features, nearest_past_distance, range_novelty

BoolArray = npt.NDArray[np.bool_]

MAD_TO_SIGMA = 1.4826
MEAN_ABS_TO_SIGMA = 1.2533
TAIL_SECONDS = 3 * 86_400.0
TAIL_QUANTILE = 0.99
TAIL_MIN_SAMPLES = 864  # 3 days at 5 minutes: ~9 samples above the 99th percentile, not 1 (3 days hourly)
SHIFT_SECONDS = 3_600.0
MIN_SHIFT_SAMPLES = 3
SCALE_SECONDS = 2 * 86_400.0
WARMUP_SECONDS = 6 * 3_600.0
BLOCK_SECONDS = 900.0
PATTERN_BLOCKS = 8
RELATIVE_FLOOR = 0.01
"""The residual and pattern scales never fall below this share of the series' trailing median |value|."""
_CHUNK_ELEMENTS = 500_000  # rows sorted at once: ~4 MB per temporary, as fast as larger chunks


@dataclass(frozen=True)
class DetectorParams:
    """Thresholds of the combined score and the alarm's re-arming; the defaults are cross-validated on NAB."""

    residual_threshold: float = 5.0
    range_threshold: float = 0.05
    pattern_threshold: float = 1.4
    residual_gate: float = 1.0
    rearm_seconds: float = 3_600.0
    min_gap_seconds: float = 6 * 3_600.0
    shift_threshold: float = 5.0


DEFAULT_PARAMS = DetectorParams()


@dataclass(frozen=True)
class AnomalyScores:
    """Causal per-sample scores from :func:`streaming_anomaly_scores` (NaN where undefined).

    ``z`` is the robust z-score of the one-step residual (MAD of the previous 2 days); ``residual``,
    ``range``, ``pattern`` and ``shift`` are the calibrated signals (1 = edge of the recent tail for residual,
    pattern and level shift; a fraction of the historical range for range); ``score`` combines them (> 1
    anomalous).
    """

    forecast: FloatArray
    residual: FloatArray
    scale: FloatArray
    z: FloatArray
    residual_score: FloatArray
    range_score: FloatArray
    pattern_score: FloatArray
    shift_score: FloatArray
    score: FloatArray


def calibration(step_seconds: float) -> tuple[int, int]:
    """The scores' calibration window (trailing tail) and warm-up, in samples of ``step_seconds``."""
    return max(TAIL_MIN_SAMPLES, round(TAIL_SECONDS / step_seconds)), max(3, round(WARMUP_SECONDS / step_seconds))


def streaming_anomaly_scores(
    values: npt.ArrayLike,
    step_seconds: float,
    season_seconds: float | None,
    params: DetectorParams = DEFAULT_PARAMS,
    *,
    since: int = 0,
    n_seasons: int = DEFAULT_N_SEASONS,
    min_seasons: int = DEFAULT_MIN_SEASONS,
) -> AnomalyScores:
    """Causal scores for every sample from index ``since`` on (earlier ones NaN, to bound the cost).

    The sidecar only needs the newest sample (``since=len(values) - 1``); the benchmark needs all.
    """
    x = as_series(values)
    n = x.size
    since = min(max(since, 0), n)
    tail, warmup = calibration(step_seconds)
    every = max(1, tail // 144)
    # the first sample the calibration of `since` reads, on the quantile's refresh grid: a sample's
    # score is then the same whatever `since` is
    first = max(0, (since // every * every - tail) // every * every)
    shift_window = max(1, round(SHIFT_SECONDS / step_seconds))
    forecast = one_step_forecasts(
        x, step_seconds, season_seconds, n_seasons, min_seasons=min_seasons, start=max(0, first - shift_window)
    )
    residual = x - forecast
    floor = score_floor(x, step_seconds, first)
    residual_score = calibrated_residual(residual, step_seconds, floor, first, since)
    pattern_score = _calibrated(pattern_distance(x, step_seconds, start=first), tail, every, warmup, first, since,
                                floor)
    range_score = range_novelty(x, warmup)
    range_score[:since] = np.nan
    scale = rolling_mad_scale(residual, max(3, round(SCALE_SECONDS / step_seconds)), since)
    # the level shift's raw signal from `first` on reads a day and its floor a tail before it
    base = max(0, (first - tail) // every * every)
    shift_score = np.full(n, np.nan)
    shift_score[base:] = level_shift_score(x[base:], step_seconds, start=first - base)
    shift_score[:since] = np.nan
    scores = AnomalyScores(
        forecast, residual, scale, _divide(residual, scale, unscaled=np.nan), residual_score, range_score,
        pattern_score, shift_score, np.full(n, np.nan),
    )
    return AnomalyScores(**{**scores.__dict__, "score": combined_score(scores, params)})


def score_floor(x: FloatArray, step_seconds: float, first: int = 0) -> FloatArray:
    """The least calibration edge of the scores, aligned with ``x[first:]``: ``RELATIVE_FLOOR`` of the trailing
    median |value| (perfectly smooth history would calibrate to rounding error, making any wobble a huge score)."""
    tail, warmup = calibration(step_seconds)
    out: FloatArray = RELATIVE_FLOOR * rolling_nanquantile(np.abs(x[first:]), tail, 0.5, max(1, tail // 144), warmup)
    return out


def calibrated_residual(residual: FloatArray, step_seconds: float, floor: FloatArray, first: int = 0,
                        since: int = 0) -> FloatArray:
    """The residual score: |residual| and the last SHIFT_SECONDS' median residual (a level shift), each over its
    trailing TAIL_QUANTILE (at least ``floor``, :func:`score_floor`), the higher of the two."""
    tail, warmup = calibration(step_seconds)
    every = max(1, tail // 144)
    shift = np.abs(_trailing_median(residual, max(1, round(SHIFT_SECONDS / step_seconds)), first))
    out: FloatArray = np.fmax(
        _calibrated(np.abs(residual), tail, every, warmup, first, since, floor),
        _calibrated(shift, tail, every, warmup, first, since, floor),
    )
    return out


def pattern_distance(x: FloatArray, step_seconds: float, blocks: int = PATTERN_BLOCKS, start: int = 0) -> FloatArray:
    """The pattern score before its calibration: each sample's last ``blocks`` blocks of BLOCK_SECONDS, their
    distance to the nearest earlier such pattern (novelty.nearest_past_distance; NaN before ``start``)."""
    block = max(1, round(BLOCK_SECONDS / step_seconds))
    return nearest_past_distance(block_features(x, block, blocks), block, block * blocks, start=start)


def combined_score(scores: AnomalyScores, params: DetectorParams = DEFAULT_PARAMS) -> FloatArray:
    """The score that :func:`detect` thresholds at 1, from the calibrated signals (NaN only if all are)."""
    pattern = scores.pattern_score / params.pattern_threshold
    gated = np.fmin(scores.residual_score / params.residual_threshold, pattern / params.residual_gate)
    out: FloatArray = np.fmax(np.fmax(scores.range_score / params.range_threshold, pattern), gated)
    out = np.fmax(out, scores.shift_score / params.shift_threshold)
    return out


def level_shift_score(
    values: npt.ArrayLike, step_seconds: float, reference: npt.ArrayLike | None = None, start: int = 0
) -> FloatArray:
    """|median of the last SHIFT_SECONDS (>= MIN_SHIFT_SAMPLES) - median of the day before them| over that day's
    robust sigma, floored at RELATIVE_FLOOR of the trailing median |reference| (default: ``values``), over its
    own trailing TAIL_QUANTILE (:func:`tail_calibrated`). NaN while that day is less than half finite.

    The raw shift is computed from ``start`` on (NaN before), so the scores from ``start + tail`` on equal
    the full computation's.
    """
    x = as_series(values)
    short = max(MIN_SHIFT_SAMPLES, round(SHIFT_SECONDS / step_seconds))
    day = max(MIN_SHIFT_SAMPLES, round(DAY_SECONDS / step_seconds))
    begin = max(0, start - short)
    recent = rolling_nanmedian(through_current(x), short, begin)
    before = lagged(rolling_nanmedian(x, day, begin), short - 1)
    spread = lagged(rolling_mad_scale(x, day, begin), short - 1)
    floor = score_floor(x if reference is None else as_series(reference), step_seconds)
    spread = np.where(floor > spread, floor, spread)
    # a day exactly 0 (floor 0 too): sigma from the two medians' own level, so a move off it is 1/RELATIVE_FLOOR
    # sigmas or more, finite (+Inf was quiet in detect, as_series makes it NaN, and paged in Prometheus)
    spread = np.where(spread == 0, RELATIVE_FLOOR * np.fmax(np.abs(recent), np.abs(before)), spread)
    shift = np.where(lagged(half_filled(x, day), short - 1) == 1.0, np.abs(recent - before), np.nan)
    shift[:start] = np.nan
    return tail_calibrated(_divide(shift, spread), step_seconds, zero_edge=1.0)


def tail_calibrated(signal: FloatArray, step_seconds: float, zero_edge: float = 0.0) -> FloatArray:
    """``signal`` over its own trailing TAIL_QUANTILE, calibrated as the other scores are (no floor); an edge of 0
    (the signal 0 through 99 % of its tail) counts as ``zero_edge``, unless that is 0 too (then +Inf)."""
    tail, warmup = calibration(step_seconds)
    edge = rolling_nanquantile(signal, tail, TAIL_QUANTILE, max(1, tail // 144), warmup)
    return _divide(signal, np.where(edge == 0, zero_edge, edge))


def lagged(a: FloatArray, k: int) -> FloatArray:
    """``a`` moved ``k`` samples later (NaN in front): element i is ``a[i - k]``."""
    if k <= 0:
        return a.copy()
    return np.concatenate([np.full(min(k, a.size), np.nan), a[: max(a.size - k, 0)]])


def half_filled(x: FloatArray, window: int) -> FloatArray:
    """1.0 where ``x[i-window:i]`` is at least half finite (a baseline read from a day, not a few samples), else 0."""
    count = np.concatenate([[0], np.cumsum(np.isfinite(x))])
    end = np.arange(x.size)
    out: FloatArray = (count[end] - count[np.maximum(end - window, 0)] >= window / 2).astype(np.float64)
    return out


def through_current(a: FloatArray) -> FloatArray:
    """``a`` moved one sample earlier: a rolling function of ``[i-w:i]`` then reads ``a[i-w+1:i+1]``."""
    return np.concatenate([a[1:], [np.nan]]) if a.size else a.copy()


def detect(score: npt.ArrayLike, step_seconds: float, params: DetectorParams = DEFAULT_PARAMS) -> BoolArray:
    """Alarms: the first sample above 1, then again only once the score has rested at or below 1.

    After an alarm the detector re-arms at the first sample that ends ``rearm_seconds`` in a row at
    or below 1 (NaN counts as quiet) and lies ``min_gap_seconds`` or more after the alarm.
    """
    above = np.nan_to_num(as_series(score), nan=0.0) > 1.0
    rearm = max(1, round(params.rearm_seconds / step_seconds))
    gap = max(1, round(params.min_gap_seconds / step_seconds))
    index = np.arange(above.size)
    quiet_run = index - np.maximum.accumulate(np.where(above, index, -1))  # samples at or below 1 ending here
    flags = np.zeros(above.size, dtype=np.bool_)
    last = None
    for i in np.flatnonzero(above):
        if last is None or (i - last > gap and int(quiet_run[last + gap : i].max()) >= rearm):
            flags[i] = True
            last = int(i)
    return flags


def mad_scale(residuals: npt.ArrayLike) -> float:
    """Robust sigma of the finite residuals: 1.4826 * MAD, falling back to 1.2533 * mean |dev| when MAD is 0.

    Returns NaN without finite residuals and 0.0 only when all residuals are identical.
    """
    r = as_series(residuals)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return math.nan
    dev = np.abs(r - float(np.median(r)))
    mad = MAD_TO_SIGMA * float(np.median(dev))
    return mad if mad > 0 else MEAN_ABS_TO_SIGMA * float(np.mean(dev))


def robust_zscores(actual: npt.ArrayLike, forecast: npt.ArrayLike, residuals: npt.ArrayLike) -> FloatArray:
    """Robust z of ``actual - forecast`` against the MAD scale of past ``residuals`` (NaN/0 for zero scale)."""
    a = as_series(actual)
    f = as_series(forecast)
    if a.shape != f.shape:
        raise ValueError(f"actual {a.shape} and forecast {f.shape} differ in shape")
    return _divide(a - f, np.full(a.size, mad_scale(residuals)), unscaled=np.nan)


def rolling_nanquantile(
    values: npt.ArrayLike, window: int, q: float, every: int | None = None, min_count: int | None = None
) -> FloatArray:
    """Causal rolling ``q`` quantile of ``values[i-window:i]``, refreshed every ``every`` steps.

    Between refreshes the last value is held (still only past data); default ``every`` is window/144.
    NaN while fewer than ``min_count`` (default a quarter of the window) values are finite.
    """
    x = as_series(values)
    n = x.size
    step = max(1, window // 144) if every is None else max(1, every)
    least = max(1, window // 4) if min_count is None else max(1, min_count)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    padded = np.concatenate([np.full(window, np.nan), x[:-1]])
    at = np.arange(0, n, step)
    views = np.lib.stride_tricks.sliding_window_view(padded, window)
    chunk = max(1, _CHUNK_ELEMENTS // window)
    held = np.empty(at.size)
    for start in range(0, at.size, chunk):
        block = views[at[start : start + chunk]]
        quant = nanquantile_rows(block, q)
        quant[np.isfinite(block).sum(axis=1) < least] = np.nan
        held[start : start + chunk] = quant
    out[:] = np.repeat(held, step)[:n]
    return out


def rolling_mad_scale(residuals: npt.ArrayLike, window: int, start: int = 0) -> FloatArray:
    """Causal :func:`mad_scale` over ``residuals[i-window:i]`` for each i >= ``start`` (NaN with < 3 finite values)."""
    r = as_series(residuals)
    n = r.size
    out = np.full(n, np.nan)
    if n == 0:
        return out
    padded = np.concatenate([np.full(window, np.nan), r[:-1]])
    views = np.lib.stride_tricks.sliding_window_view(padded, window)
    chunk = max(1, _CHUNK_ELEMENTS // window)
    for first in range(max(start, 0), n, chunk):
        block = views[first : first + chunk]
        med = nanmedian_rows(block)
        dev = np.abs(block - med[:, None])
        mad = MAD_TO_SIGMA * nanmedian_rows(dev)
        with np.errstate(invalid="ignore"):
            count = np.isfinite(block).sum(axis=1)
            mean_abs = MEAN_ABS_TO_SIGMA * np.nansum(dev, axis=1) / np.maximum(count, 1)
        scale = np.where(mad > 0, mad, mean_abs)
        scale[count < 3] = np.nan
        out[first : first + chunk] = scale
    return out


def _calibrated(
    signal: FloatArray, tail: int, every: int, warmup: int, first: int, since: int, floor: FloatArray
) -> FloatArray:
    """``signal`` over its trailing TAIL_QUANTILE (at least ``floor``) from ``since`` on, read from ``first``.

    ``floor`` is aligned with ``signal[first:]``. NaN before ``since`` and while fewer than ``warmup``
    values are finite.
    """
    out = np.full(signal.size, np.nan)
    part = signal[first:]
    edge = rolling_nanquantile(part, tail, TAIL_QUANTILE, every, warmup)
    edge = np.where(floor > edge, floor, edge)  # a NaN floor (too little history) leaves the edge as it is
    out[first:] = _divide(part, edge, unscaled=np.nan)
    out[:since] = np.nan
    return out


def _trailing_median(x: FloatArray, window: int, start: int = 0) -> FloatArray:
    """Median of the finite values in ``x[i-window+1:i+1]`` (includes the current point), from ``start`` on."""
    if window <= 1 or x.size == 0:
        return x.copy()
    shifted = np.concatenate([x[1:], [np.nan]])
    return rolling_nanmedian(shifted, window, start)


def _divide(num: FloatArray, den: FloatArray, *, unscaled: float = np.inf) -> FloatArray:
    """``num / den``, 0 where both are 0, ``unscaled`` where only ``den`` is (the residual, the pattern and z give
    NaN: a series 0 all its calibration window, orders on a quiet night, has no scale to judge a move by, and +Inf
    paged on its first order; the level shift's callers keep its move off a day exactly 0 finite and high). A NaN
    ``num`` stays NaN: no value is no move (an hour of 0/0 after a day of zeros was +Inf, and paged)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z: FloatArray = num / den
    z[(den == 0) & (num == 0)] = 0.0
    moved = (den == 0) & (num != 0) & ~np.isnan(num)
    z[moved] = np.copysign(unscaled, num[moved])
    return z
