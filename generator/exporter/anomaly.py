"""Robust anomaly scores on forecast residuals, and NAB scoring for offline evaluation (pure numpy).

Score: ``z = (actual - forecast) / (1.4826 * MAD(residuals))``; a point is anomalous when
``|z| > threshold``. NaN actuals or forecasts give NaN scores, which never flag.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from generator.exporter.forecast import (
    DEFAULT_MIN_SEASONS,
    DEFAULT_N_SEASONS,
    FloatArray,
    as_series,
    nanmedian_rows,
    nanquantile_rows,
    one_step_forecasts,
    rolling_nanmedian,
)

BoolArray = npt.NDArray[np.bool_]

MAD_TO_SIGMA = 1.4826
MEAN_ABS_TO_SIGMA = 1.2533
DEFAULT_THRESHOLD = 5.0
DEFAULT_SCORE_THRESHOLD = 1.6
_CHUNK_ELEMENTS = 500_000  # rows sorted at once: ~4 MB per temporary, as fast as larger chunks


@dataclass(frozen=True)
class AnomalyScores:
    """Causal per-point scores from :func:`streaming_anomaly_scores` (NaN where undefined).

    ``z`` is the robust z-score of the one-step residual; ``score`` is the tail-adaptive score:
    the larger of |residual| and |median residual over the shift window|, each divided by its own
    trailing ``tail_quantile``; it exceeds 1 when the point is beyond the recent tail.
    """

    forecast: FloatArray
    residual: FloatArray
    scale: FloatArray
    z: FloatArray
    score: FloatArray


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
    """Robust z of ``actual - forecast`` against the MAD scale of past ``residuals`` (inf/0 for zero scale)."""
    a = as_series(actual)
    f = as_series(forecast)
    if a.shape != f.shape:
        raise ValueError(f"actual {a.shape} and forecast {f.shape} differ in shape")
    return _divide(a - f, np.full(a.size, mad_scale(residuals)))


def detect_anomalies(z: npt.ArrayLike, threshold: float = DEFAULT_THRESHOLD, cooldown_steps: int = 0) -> BoolArray:
    """Flag |z| > threshold; after a flag, further flags within ``cooldown_steps`` steps are suppressed."""
    scores = as_series(z)
    hits = np.flatnonzero(np.abs(np.nan_to_num(scores, nan=0.0)) > threshold)
    flags = np.zeros(scores.size, dtype=np.bool_)
    if cooldown_steps <= 0:
        flags[hits] = True
        return flags
    next_allowed = -1
    for i in hits:
        if i >= next_allowed:
            flags[i] = True
            next_allowed = int(i) + cooldown_steps + 1
    return flags


def streaming_anomaly_scores(
    values: npt.ArrayLike,
    step_seconds: float,
    season_seconds: float | None,
    n_seasons: int = DEFAULT_N_SEASONS,
    *,
    scale_seconds: float = 2 * 86_400.0,
    tail_seconds: float = 3 * 86_400.0,
    tail_quantile: float = 0.99,
    shift_seconds: float = 3_600.0,
    level_seconds: float | None = None,
    min_seasons: int = DEFAULT_MIN_SEASONS,
) -> AnomalyScores:
    """Causal scores for every point of a series: point i uses only ``values[:i+1]``.

    Residuals are against :func:`one_step_forecasts`; ``z`` uses the MAD scale of the residuals in the
    preceding ``scale_seconds``; ``score`` compares the point (spike) and the median residual of the
    last ``shift_seconds`` (level shift) with their trailing ``tail_quantile`` over ``tail_seconds``.
    """
    x = as_series(values)
    forecast = one_step_forecasts(
        x, step_seconds, season_seconds, n_seasons, level_seconds=level_seconds, min_seasons=min_seasons
    )
    residual = x - forecast
    scale = rolling_mad_scale(residual, max(3, round(scale_seconds / step_seconds)))
    tail_window = max(3, round(tail_seconds / step_seconds))
    spike = np.abs(residual)
    shift = np.abs(_trailing_median(residual, max(1, round(shift_seconds / step_seconds))))
    spike_score = _divide(spike, rolling_nanquantile(spike, tail_window, tail_quantile))
    shift_score = _divide(shift, rolling_nanquantile(shift, tail_window, tail_quantile))
    return AnomalyScores(forecast, residual, scale, _divide(residual, scale), np.fmax(spike_score, shift_score))


def rolling_nanquantile(values: npt.ArrayLike, window: int, q: float, every: int | None = None) -> FloatArray:
    """Causal rolling ``q`` quantile of ``values[i-window:i]``, refreshed every ``every`` steps.

    Between refreshes the last value is held (still only past data); default ``every`` is window/144.
    NaN while fewer than a quarter of the window is finite.
    """
    x = as_series(values)
    n = x.size
    step = max(1, window // 144) if every is None else max(1, every)
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
        quant[np.isfinite(block).sum(axis=1) < max(1, window // 4)] = np.nan
        held[start : start + chunk] = quant
    out[:] = np.repeat(held, step)[:n]
    return out


def _trailing_median(x: FloatArray, window: int) -> FloatArray:
    """Median of the finite values in ``x[i-window+1:i+1]`` (includes the current point)."""
    if window <= 1 or x.size == 0:
        return x.copy()
    shifted = np.concatenate([x[1:], [np.nan]])
    return rolling_nanmedian(shifted, window)


def rolling_mad_scale(residuals: npt.ArrayLike, window: int) -> FloatArray:
    """Causal :func:`mad_scale` over ``residuals[i-window:i]`` for each i (NaN with < 3 finite values)."""
    r = as_series(residuals)
    n = r.size
    out = np.full(n, np.nan)
    if n == 0:
        return out
    padded = np.concatenate([np.full(window, np.nan), r[:-1]])
    views = np.lib.stride_tricks.sliding_window_view(padded, window)
    chunk = max(1, _CHUNK_ELEMENTS // window)
    for start in range(0, n, chunk):
        block = views[start : start + chunk]
        med = nanmedian_rows(block)
        dev = np.abs(block - med[:, None])
        mad = MAD_TO_SIGMA * nanmedian_rows(dev)
        with np.errstate(invalid="ignore"):
            count = np.isfinite(block).sum(axis=1)
            mean_abs = MEAN_ABS_TO_SIGMA * np.nansum(dev, axis=1) / np.maximum(count, 1)
        scale = np.where(mad > 0, mad, mean_abs)
        scale[count < 3] = np.nan
        out[start : start + chunk] = scale
    return out


def _divide(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        z: FloatArray = num / den
    z[(den == 0) & (num == 0)] = 0.0
    return z


# --- NAB scoring (offline evaluation of a detector against labelled windows) -------------------------


@dataclass(frozen=True)
class NabScore:
    """NAB raw score of one file or corpus with its null (no detection) and perfect baselines."""

    raw: float
    null: float
    perfect: float
    windows: int
    detected_windows: int
    false_positives: int

    @property
    def normalized(self) -> float:
        """100 * (raw - null) / (perfect - null); NaN when there is no window to score."""
        span = self.perfect - self.null
        return 100.0 * (self.raw - self.null) / span if span > 0 else math.nan

    def __add__(self, other: NabScore) -> NabScore:
        """Corpus totals: NAB normalises the summed raw, null and perfect scores."""
        return NabScore(
            self.raw + other.raw,
            self.null + other.null,
            self.perfect + other.perfect,
            self.windows + other.windows,
            self.detected_windows + other.detected_windows,
            self.false_positives + other.false_positives,
        )


def scaled_sigmoid(x: npt.ArrayLike) -> FloatArray:
    """NAB's 2*sigmoid(-5x) - 1, and -1 for x >= 3 (far past a window)."""
    pos = as_series(x)
    out: FloatArray = 2.0 / (1.0 + np.exp(5.0 * pos)) - 1.0
    out[pos >= 3.0] = -1.0
    return out


def nab_probation_rows(n_rows: int, probation_percent: float = 0.15) -> float:
    """Rows at the start of a file that NAB leaves unscored: min(floor(15% of rows), 15% of 5000)."""
    return min(math.floor(probation_percent * n_rows), probation_percent * 5000)


def nab_score(
    detections: npt.ArrayLike,
    windows: Sequence[tuple[int, int]],
    *,
    tp_weight: float = 1.0,
    fp_weight: float = 0.11,
    fn_weight: float = 1.0,
    probation_percent: float = 0.15,
) -> NabScore:
    """NAB score of boolean per-row ``detections`` for sorted, disjoint inclusive row ``windows``.

    Per NAB: rows in the probation period are ignored; a window scores the best (earliest) of its
    detections, ``tp_weight * S(x) / S(-1)`` with ``x = -(end - i + 1) / width``, or ``-fn_weight`` if
    missed; a detection outside windows costs ``fp_weight * S(|i - prev_end| / (prev_width - 1))``
    (``-fp_weight`` before the first window). ``S`` is :func:`scaled_sigmoid`; perfect counts every
    window at ``tp_weight``, null is the score of no detections.
    """
    flags = np.asarray(detections, dtype=np.bool_).ravel()
    n = flags.size
    max_tp = float(scaled_sigmoid([-1.0])[0])
    rows = np.arange(n)
    position = np.full(n, 3.0)
    in_window = np.full(n, -1)
    prev_end, prev_width = -1, 0.0
    for w, (start, end) in enumerate(windows):
        if not 0 <= start <= end < n or start <= prev_end:
            raise ValueError(f"window {w} ({start}, {end}) is out of range or overlaps the previous one")
        width = float(end - start + 1)
        if prev_end >= 0:
            gap = slice(prev_end + 1, start)
            position[gap] = np.abs(prev_end - rows[gap]) / max(prev_width - 1.0, 1.0)
        position[start : end + 1] = -(end - rows[start : end + 1] + 1) / width
        in_window[start : end + 1] = w
        prev_end, prev_width = end, width
    if prev_end >= 0:
        tail = slice(prev_end + 1, n)
        position[tail] = np.abs(prev_end - rows[tail]) / max(prev_width - 1.0, 1.0)
    sweep = scaled_sigmoid(position)
    scored = rows >= nab_probation_rows(n, probation_percent)
    fp_rows = flags & scored & (in_window < 0)
    raw = float(np.sum(sweep[fp_rows] * fp_weight))
    counted = detected = 0
    for w in range(len(windows)):
        members = scored & (in_window == w)
        if not members.any():
            continue  # a window entirely inside the probation period is not scored (as in NAB)
        counted += 1
        hit = members & flags
        if hit.any():
            detected += 1
            raw += max(-fn_weight, float(np.max(sweep[hit])) * tp_weight / max_tp)
        else:
            raw -= fn_weight
    return NabScore(raw, -fn_weight * counted, tp_weight * len(windows), len(windows), detected, int(fp_rows.sum()))
