"""The forecast a series gets: candidate methods backtested on its own history, the best one, and its band.

No single method suits every series: a business series follows its week, a CPU series with no rhythm
is best forecast by its recent level, a noisy one by a level over a longer stretch. Each candidate
(:func:`candidate_methods`) forecasts from ``n_origins`` past origins of the series itself (every
``horizon / 4`` steps back, each using only the history before it); the one with the smallest mean
absolute error forecasts, and the quantiles of its backtest residuals give the band. Everything is
causal: the forecast made at the newest sample uses nothing after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from generator.exporter.forecast import (
    DAY_SECONDS,
    FloatArray,
    as_series,
    finite_series,
    prediction_band,
    season_steps_for,
    seasonal_forecast,
)

DEFAULT_BAND_ORIGINS = 48
HOUR_SECONDS = 3_600.0


@dataclass(frozen=True)
class Method:
    """A seasonal-median forecast (:func:`~generator.exporter.forecast.seasonal_forecast`) configuration.

    ``season_seconds`` None is the level method: flat at the median of the last ``level_seconds``.
    """

    name: str
    season_seconds: float | None
    n_seasons: int = 5
    level_seconds: float | None = None

    def forecast(self, values: FloatArray, step_seconds: float, horizon_steps: int) -> FloatArray:
        """This method's forecast of the ``horizon_steps`` steps after ``values``."""
        return seasonal_forecast(
            values, step_seconds, self.season_seconds, horizon_steps, self.n_seasons, level_seconds=self.level_seconds
        )


@dataclass(frozen=True)
class Forecast:
    """A point forecast with its prediction band, and the method that made it."""

    mean: FloatArray
    lower: FloatArray
    upper: FloatArray
    coverage: float
    season_steps: int | None
    method: str


def candidate_methods(season_seconds: float | None) -> tuple[Method, ...]:
    """The declared season (5 seasons, level over a quarter season; 9 seasons, level over the last hour),
    the daily season under a longer one, and the level of the last hour and of the last day."""
    methods = []
    if season_seconds is not None and season_seconds > 0:
        methods += [Method("seasonal", season_seconds), Method("seasonal-long", season_seconds, 9, HOUR_SECONDS)]
        if season_seconds > DAY_SECONDS:
            methods.append(Method("daily", DAY_SECONDS, 7, HOUR_SECONDS))
    methods += [Method("level-1h", None, level_seconds=HOUR_SECONDS),
                Method("level-1d", None, level_seconds=DAY_SECONDS)]
    return tuple(methods)


def backtest_residuals(
    values: npt.ArrayLike,
    step_seconds: float,
    method: Method,
    horizon_steps: int,
    n_origins: int = DEFAULT_BAND_ORIGINS,
    *,
    stride_steps: int | None = None,
) -> FloatArray:
    """Residuals (actual - forecast) of ``method`` at past origins, shape (origins, horizon).

    Origins step back from ``len - horizon`` by ``stride_steps`` (default a quarter of the horizon);
    origins without a finite history are skipped. NaN where the actual value is a gap.
    """
    x = as_series(values)
    stride = max(1, horizon_steps // 4) if stride_steps is None else max(1, stride_steps)
    rows: list[FloatArray] = []
    for m in range(n_origins):
        origin = x.size - horizon_steps - m * stride
        if origin < 2:
            break
        history = x[:origin]
        if np.isfinite(history).any():
            rows.append(x[origin : origin + horizon_steps] - method.forecast(history, step_seconds, horizon_steps))
    return np.vstack(rows) if rows else np.empty((0, horizon_steps))


def forecast_with_band(
    values: npt.ArrayLike,
    step_seconds: float,
    season_seconds: float | None,
    horizon_steps: int,
    coverage: float = 0.95,
    *,
    n_origins: int = DEFAULT_BAND_ORIGINS,
    methods: tuple[Method, ...] | None = None,
) -> Forecast:
    """The forecast of the candidate with the smallest backtest error, with the band from its residuals.

    Without any backtest (history shorter than a horizon) the first candidate forecasts and the band
    is NaN. Raises :class:`InsufficientDataError` for a series without a finite value.
    """
    x = finite_series(values)
    scored = []
    for method in methods or candidate_methods(season_seconds):
        residuals = backtest_residuals(x, step_seconds, method, horizon_steps, n_origins)
        finite = np.abs(residuals[np.isfinite(residuals)])
        scored.append((float(finite.mean()) if finite.size else np.inf, method, residuals))
    _, best, residuals = min(scored, key=lambda found: found[0])  # ties: the first candidate
    mean = best.forecast(x, step_seconds, horizon_steps)
    lower, upper = prediction_band(mean, residuals, coverage)
    season_steps = season_steps_for(x.size, step_seconds, best.season_seconds)
    return Forecast(mean, lower, upper, coverage, season_steps, best.name)
