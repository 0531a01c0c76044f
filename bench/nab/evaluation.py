"""What bench/forecast_nab.py measures on one NAB file, and how detector parameters are cross-validated.

Forecasts: ``ORIGINS`` rolling origins evenly spread over the second half of the grid, horizon one day
(``NONSEASONAL_HORIZON`` steps without a season). MASE is the MAE of a forecast divided by the MAE of
the seasonal-naive forecast on exactly the same origins, leads and finite targets (< 1 beats it);
the median-of-three-seasons baseline (same phase, last three seasons) is scored the same way.
Coverage is the share of finite actuals inside the band at the nominal level. The season is weekly
when the history at the first origin spans >= 3 weeks, daily with >= 2 days, else none.

Detection: the exporter's causal scores streamed over the grid, mapped to rows, thresholded by
``detect`` with a parameter set, and scored with NAB's rules for each profile.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from generator.exporter.anomaly import AnomalyScores, DetectorParams, combined_score, detect, streaming_anomaly_scores
from generator.exporter.backtest import forecast_with_band
from generator.exporter.forecast import (
    DAY_SECONDS,
    WEEK_SECONDS,
    seasonal_naive_forecast,
    seasonal_reference,
)
from generator.exporter.nab import NabScore, nab_score
from nab.corpus import FloatArray, Series

ORIGINS = 40
NONSEASONAL_HORIZON = 48
COVERAGE = 0.95
BASELINE_SEASONS = 3
SHIFT_THRESHOLDS = (3.0, 5.0, 8.0)
"""The level shift's own thresholds (bench/nab/levelshift.py's pre-registered trial)."""
BASE_GRID = tuple(
    DetectorParams(residual, range_, pattern, gate, rearm * 3600.0, gap * 3600.0)
    for residual, range_, pattern, gate, (rearm, gap) in itertools.product(
        (2.0, 3.0, 5.0), (0.01, 0.05, 0.2), (1.0, 1.2, 1.4, 1.7, 2.0), (0.5, 0.7, 1.0), ((1, 6), (3, 12), (6, 24))
    )
)
"""The grid before the level shift (405 sets), each with the default shift threshold."""


def with_shift(grid: Sequence[DetectorParams], thresholds: Sequence[float]) -> tuple[DetectorParams, ...]:
    """Each set of ``grid`` with each of ``thresholds``, in ``grid``'s order (thresholds inner)."""
    return tuple(dataclasses.replace(p, shift_threshold=t) for p in grid for t in thresholds)


DETECTOR_GRID = with_shift(BASE_GRID, SHIFT_THRESHOLDS)
"""Every parameter set the cross-validation chooses from; the shipped DetectorParams() must be among them."""


@dataclass(frozen=True)
class ForecastResult:
    """Rolling-origin accuracy of the exporter's forecast and of the median-of-three-seasons baseline."""

    season: str
    horizon: int
    mase: float
    baseline_mase: float
    coverage: float
    methods: dict[str, int]


def pick_season(series: Series) -> float | None:
    """Weekly when the first origin has >= 3 weeks of history, daily with >= 2 days, else None."""
    history_seconds = series.grid.size // 2 * series.step
    if history_seconds >= 3 * WEEK_SECONDS:
        return WEEK_SECONDS
    if history_seconds >= 2 * DAY_SECONDS:
        return DAY_SECONDS
    return None


def median_of_seasons(history: FloatArray, season_steps: int, horizon: int) -> FloatArray:
    """Baseline: the median of the same phase in the last ``BASELINE_SEASONS`` seasons."""
    targets = np.arange(history.size, history.size + horizon, dtype=np.int64)
    last = np.full(horizon, history.size - 1, dtype=np.int64)
    return seasonal_reference(history, season_steps, BASELINE_SEASONS, targets, last)


def evaluate_forecasts(series: Series) -> ForecastResult:
    """MASE of the exporter's forecast and of the baseline (vs seasonal naive), and band coverage."""
    season, grid = pick_season(series), series.grid
    if season is None:
        horizon, season_steps = NONSEASONAL_HORIZON, 1
    else:
        horizon, season_steps = round(DAY_SECONDS / series.step), round(season / series.step)
    errors: dict[str, list[FloatArray]] = {"method": [], "baseline": [], "naive": []}
    inside: list[FloatArray] = []
    methods: dict[str, int] = {}
    for origin in np.linspace(grid.size // 2, grid.size - horizon, ORIGINS).astype(int):
        history, actual = grid[:origin], grid[origin : origin + horizon]
        forecast = forecast_with_band(history, series.step, season, horizon, COVERAGE)
        methods[forecast.method] = methods.get(forecast.method, 0) + 1
        naive = seasonal_naive_forecast(history, None if season is None else season_steps, horizon)
        baseline = median_of_seasons(history, season_steps, horizon) if season is not None else naive
        ok = np.isfinite(actual) & np.isfinite(forecast.mean) & np.isfinite(naive) & np.isfinite(baseline)
        for key, predicted in (("method", forecast.mean), ("baseline", baseline), ("naive", naive)):
            errors[key].append(np.abs(actual - predicted)[ok])
        banded = ok & np.isfinite(forecast.lower)
        inside.append(((actual >= forecast.lower) & (actual <= forecast.upper))[banded].astype(float))
    mae = {key: float(np.concatenate(parts).mean()) for key, parts in errors.items()}
    scale = mae["naive"] if mae["naive"] > 0 else math.nan
    label = {None: "none", DAY_SECONDS: "daily", WEEK_SECONDS: "weekly"}[season]
    coverage = 100.0 * float(np.concatenate(inside).mean())
    return ForecastResult(label, horizon, mae["method"] / scale, mae["baseline"] / scale, coverage, methods)


def anomaly_scores(series: Series) -> AnomalyScores:
    """The exporter's scores streamed over the whole grid (each sample sees only the samples before it)."""
    return streaming_anomaly_scores(series.grid, series.step, pick_season(series))


def flags_for(series: Series, scores: AnomalyScores, params: DetectorParams) -> np.ndarray:
    """Detections on the grid, mapped back to the file's rows."""
    return detect(combined_score(scores, params), series.step, params)[series.slot]


def profile_score(series: Series, flags: np.ndarray, weights: dict[str, float]) -> NabScore:
    """NAB score of row ``flags`` under one profile's cost matrix."""
    return nab_score(
        flags, series.windows, tp_weight=weights["tpWeight"], fp_weight=weights["fpWeight"],
        fn_weight=weights["fnWeight"],
    )


def total(scores: Iterable[NabScore]) -> NabScore:
    """Corpus total (NAB normalises summed raw, null and perfect)."""
    found = list(scores)
    return sum(found[1:], found[0]) if found else NabScore(0.0, 0.0, 0.0, 0, 0, 0)


def choose(
    train: Sequence[int], standard: Callable[[int, DetectorParams], NabScore], grid: Sequence[DetectorParams]
) -> DetectorParams:
    """The parameter set with the best corpus NAB standard score on the ``train`` files (first on ties)."""
    best, best_score = grid[0], -math.inf
    for params in grid:
        score = total(standard(i, params) for i in train).normalized
        if score > best_score:
            best, best_score = params, score
    return best


def folds(series: Sequence[Series]) -> list[tuple[str, list[int], list[int]]]:
    """(label, train, test) file indices: leave one group out, or leave one file out with a single group."""
    groups = list(dict.fromkeys(s.group for s in series))
    if len(groups) > 1:
        return [
            (group, [i for i, s in enumerate(series) if s.group != group],
             [i for i, s in enumerate(series) if s.group == group])
            for group in groups
        ]
    return file_folds(series)


def file_folds(series: Sequence[Series]) -> list[tuple[str, list[int], list[int]]]:
    """(label, train, test) file indices leaving one file out."""
    return [(s.name, [j for j in range(len(series)) if j != i], [i]) for i, s in enumerate(series)]
