"""Unit tests of the exporter's forecasting core: seasonal medians, backtests, method choice and bands."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from generator.exporter.backtest import Method, backtest_residuals, candidate_methods, forecast_with_band
from generator.exporter.forecast import (
    DAY_SECONDS,
    WEEK_SECONDS,
    FloatArray,
    InsufficientDataError,
    finite_series,
    one_step_forecasts,
    prediction_band,
    season_steps_for,
    seasonal_forecast,
    seasonal_naive_forecast,
)
from generator.exporter.predict import predict
from generator.model import Capacity, Forecast

STEP = 60.0
HOUR = 3600.0
SEASON = 60  # steps per HOUR at STEP


def periodic(n: int, season: int = SEASON, offset: int = 0) -> FloatArray:
    """A noiseless, non-sinusoidal periodic shape (two harmonics and a ramp within the period)."""
    k = np.arange(offset, offset + n)
    phase = 2 * np.pi * (k % season) / season
    shape: FloatArray = 50 + 10 * np.sin(phase) + 4 * np.cos(3 * phase) + (k % season) / 10
    return shape


# --- seasonal forecast ------------------------------------------------------------------------------


def test_seasonal_forecast_of_noiseless_periodic_series_is_exact() -> None:
    history = periodic(8 * SEASON)
    forecast = seasonal_forecast(history, STEP, HOUR, horizon_steps=150)
    np.testing.assert_allclose(forecast, periodic(150, offset=8 * SEASON), atol=1e-9)


def test_seasonal_forecast_carries_a_recent_level_shift() -> None:
    history = periodic(8 * SEASON)
    history[-20:] += 20.0  # longer than the level window (a quarter of the season = 15 steps)
    forecast = seasonal_forecast(history, STEP, HOUR, horizon_steps=30)
    np.testing.assert_allclose(forecast, periodic(30, offset=8 * SEASON) + 20.0, atol=1e-9)


def test_seasonal_forecast_is_robust_to_an_outlier_season() -> None:
    history = periodic(8 * SEASON)
    history[-3 * SEASON : -2 * SEASON] += 500.0  # one wild season among the five used
    forecast = seasonal_forecast(history, STEP, HOUR, horizon_steps=SEASON)
    np.testing.assert_allclose(forecast, periodic(SEASON, offset=8 * SEASON), atol=1e-9)


def test_weekly_season_falls_back_to_daily_when_history_is_short() -> None:
    step = 3600.0
    assert season_steps_for(3 * 24, step, WEEK_SECONDS) == 24
    assert season_steps_for(14 * 24, step, WEEK_SECONDS) == 168
    assert season_steps_for(30, step, WEEK_SECONDS) is None
    history = periodic(3 * 24, season=24)
    forecast = seasonal_forecast(history, step, WEEK_SECONDS, horizon_steps=24)
    np.testing.assert_allclose(forecast, periodic(24, season=24, offset=3 * 24), atol=1e-9)


def test_without_season_the_forecast_is_the_flat_recent_median() -> None:
    history = np.array([1.0, 2.0, 100.0, 5.0, 6.0, 7.0])
    forecast = seasonal_forecast(history, STEP, None, horizon_steps=4)
    np.testing.assert_allclose(forecast, np.full(4, 5.5))  # median of the last 12 (here: all 6)


def test_short_history_falls_back_to_the_level_forecast() -> None:
    history = periodic(SEASON + 10)  # fewer than the two seasons needed
    forecast = seasonal_forecast(history, STEP, HOUR, horizon_steps=5)
    np.testing.assert_allclose(forecast, np.full(5, np.median(history[-12:])))


def test_nan_gaps_are_ignored_and_the_forecast_stays_exact() -> None:
    history = periodic(8 * SEASON)
    history[::7] = np.nan
    history[-3:] = np.nan  # a gap at the newest samples, as query_range returns for a scrape outage
    forecast = seasonal_forecast(history, STEP, HOUR, horizon_steps=SEASON)
    assert np.isfinite(forecast).all()
    np.testing.assert_allclose(forecast, periodic(SEASON, offset=8 * SEASON), atol=1e-9)


@pytest.mark.parametrize("history", [[], [math.nan, math.nan], [math.inf]])
def test_input_without_finite_values_raises_a_clear_error(history: list[float]) -> None:
    with pytest.raises(InsufficientDataError, match="no finite values"):
        seasonal_forecast(history, STEP, HOUR, horizon_steps=3)


@pytest.mark.parametrize(("least", "history"), [(1, [math.nan, math.inf]), (2, [math.nan, 3.0, -math.inf])])
def test_one_check_says_a_series_has_too_few_finite_values(least: int, history: list[float]) -> None:
    """forecast.finite_series: the forecasts' (one finite sample) and the capacity trends' (two) check, one way."""
    from generator.exporter.capacity import linear_trend, time_to_exhaustion

    with pytest.raises(InsufficientDataError, match="finite values"):
        finite_series(history, least)
    enough = finite_series([*history, 1.0], least)  # as as_series gives it: ±inf read as NaN
    assert enough.size == len(history) + 1 and np.isnan(enough).sum() == sum(map(math.isinf, history)) + 1
    entries: list[Callable[[], object]] = [
        lambda: seasonal_forecast(history, STEP, HOUR, horizon_steps=3),
        lambda: forecast_with_band(history, STEP, HOUR, horizon_steps=3),
    ] if least == 1 else [lambda: linear_trend(history, STEP), lambda: time_to_exhaustion(history, STEP, 100.0)]
    for entry in entries:
        with pytest.raises(InsufficientDataError, match="finite values"):
            entry()


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="horizon_steps"):
        seasonal_forecast([1.0, 2.0], STEP, HOUR, horizon_steps=0)
    with pytest.raises(ValueError, match="step_seconds"):
        seasonal_forecast([1.0, 2.0], 0.0, HOUR, horizon_steps=1)
    with pytest.raises(ValueError, match="1-D"):
        seasonal_forecast([[1.0, 2.0]], STEP, HOUR, horizon_steps=1)


def test_seasonal_naive_repeats_the_previous_season() -> None:
    history = np.arange(10.0)
    np.testing.assert_allclose(seasonal_naive_forecast(history, 4, 6), [6, 7, 8, 9, 6, 7])
    np.testing.assert_allclose(seasonal_naive_forecast(history, None, 3), [9, 9, 9])


def test_seasonal_forecast_beats_seasonal_naive_on_a_noisy_seasonal_series() -> None:
    rng = np.random.default_rng(7)
    series = periodic(20 * SEASON) + rng.normal(0, 3, 20 * SEASON)
    err_method, err_naive = [], []
    for origin in range(10 * SEASON, 19 * SEASON, 20):
        actual = series[origin : origin + SEASON]
        err_method.append(np.abs(actual - seasonal_forecast(series[:origin], STEP, HOUR, SEASON)))
        err_naive.append(np.abs(actual - seasonal_naive_forecast(series[:origin], SEASON, SEASON)))
    mase = np.concatenate(err_method).mean() / np.concatenate(err_naive).mean()
    assert mase < 0.9  # about 0.85 in theory for iid noise; seasonal naive doubles the noise variance


def test_band_coverage_is_near_nominal_on_iid_noise() -> None:
    rng = np.random.default_rng(11)
    series = periodic(30 * SEASON) + rng.normal(0, 2, 30 * SEASON)
    inside = []
    for origin in range(15 * SEASON, 29 * SEASON, 30):
        fc = forecast_with_band(series[:origin], STEP, HOUR, SEASON, coverage=0.9)
        actual = series[origin : origin + SEASON]
        inside.append((actual >= fc.lower) & (actual <= fc.upper))
        assert fc.season_steps == SEASON
        assert (fc.lower <= fc.mean).all() and (fc.mean <= fc.upper).all()
    assert 0.85 <= np.mean(inside) <= 0.95


def test_band_uses_residual_quantiles() -> None:
    residuals = np.tile(np.linspace(-1.0, 1.0, 101), (3, 1))
    lower, upper = prediction_band(np.zeros(5), residuals, coverage=0.9)
    np.testing.assert_allclose(lower, -0.9)
    np.testing.assert_allclose(upper, 0.9)
    nan_lower, _ = prediction_band(np.zeros(2), np.full((2, 2), np.nan))
    assert np.isnan(nan_lower).all()


def test_backtest_residuals_of_a_periodic_series_are_zero() -> None:
    method = Method("seasonal", HOUR)
    residuals = backtest_residuals(periodic(8 * SEASON), STEP, method, horizon_steps=SEASON, n_origins=5)
    assert residuals.shape == (5, SEASON)
    np.testing.assert_allclose(residuals, 0.0, atol=1e-9)


def test_the_seasonal_method_is_chosen_for_a_periodic_series() -> None:
    rng = np.random.default_rng(12)
    series = periodic(20 * SEASON) + rng.normal(0, 0.5, 20 * SEASON)
    assert forecast_with_band(series, STEP, HOUR, SEASON).method.startswith("seasonal")


def test_a_recent_level_is_chosen_for_a_series_without_rhythm() -> None:
    rng = np.random.default_rng(13)
    series = 50 + rng.normal(0, 3, 20 * SEASON)  # declared hourly season, but only noise
    fc = forecast_with_band(series, STEP, HOUR, SEASON)
    assert fc.method.startswith("level")
    assert fc.season_steps is None


def test_candidates_add_the_daily_season_under_a_weekly_one() -> None:
    names = [m.name for m in candidate_methods(WEEK_SECONDS)]
    assert names == ["seasonal", "seasonal-long", "daily", "level-1h", "level-1d"]
    assert [m.name for m in candidate_methods(None)] == ["level-1h", "level-1d"]
    assert candidate_methods(WEEK_SECONDS)[2].season_seconds == DAY_SECONDS


def test_forecast_with_band_needs_a_finite_value() -> None:
    with pytest.raises(InsufficientDataError):
        forecast_with_band([math.nan] * 10, STEP, HOUR, 5)


def test_one_step_forecasts_are_causal_and_match_the_batch_forecast() -> None:
    rng = np.random.default_rng(3)
    series = periodic(6 * SEASON) + rng.normal(0, 1, 6 * SEASON)
    one_step = one_step_forecasts(series, STEP, HOUR)
    for i in (0, 5, 2 * SEASON, 4 * SEASON + 17, 6 * SEASON - 1):
        expected = seasonal_forecast(series[:i], STEP, HOUR, 1)[0] if i else math.nan
        np.testing.assert_allclose(one_step[i], expected, atol=1e-9)
    changed = series.copy()
    changed[300:] += 1000.0
    np.testing.assert_array_equal(one_step_forecasts(changed, STEP, HOUR)[:301], one_step[:301])


def test_a_time_compressed_forecast_predicts_what_its_definition_would() -> None:
    rng = np.random.default_rng(21)
    values = 500 + 50 * np.sin(2 * np.pi * np.arange(3 * 288) / 288) + rng.normal(0, 5, 3 * 288)
    values[-40:] -= np.arange(40) * 3.0  # draining towards the 0 limit
    definition = Forecast(name="x", help="x", expr="x", step="5m", season="1d", history="3d", horizon="1h",
                          capacity=Capacity(limit=0, direction="down"))
    compressed = definition.model_copy(update={"step": "5s", "season": "24m", "history": "1h12m", "horizon": "1m",
                                               "time_scale": 60.0})
    real, fast = predict(definition, {}, values, 0.0), predict(compressed, {}, values, 0.0)
    assert (fast.expected, fast.lower, fast.upper, fast.score) == (real.expected, real.lower, real.upper, real.score)
    assert real.recommendation is not None and fast.recommendation == real.recommendation  # seconds of the definitions
