"""Unit tests of the exporter's forecasting core, anomaly scores, NAB scoring and capacity maths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.exporter.anomaly import (
    detect_anomalies,
    mad_scale,
    nab_score,
    robust_zscores,
    scaled_sigmoid,
    streaming_anomaly_scores,
)
from generator.exporter.capacity import (
    Trend,
    capacity_recommendation,
    format_duration,
    linear_trend,
    time_to_exhaustion,
)
from generator.exporter.forecast import (
    DAY_SECONDS,
    WEEK_SECONDS,
    FloatArray,
    InsufficientDataError,
    backtest_residuals,
    forecast_with_band,
    one_step_forecasts,
    prediction_band,
    season_steps_for,
    seasonal_forecast,
    seasonal_naive_forecast,
)

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
    residuals = backtest_residuals(periodic(8 * SEASON), STEP, HOUR, horizon_steps=SEASON, n_origins=5)
    assert residuals.shape == (5, SEASON)
    np.testing.assert_allclose(residuals, 0.0, atol=1e-9)


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


# --- anomaly scores ---------------------------------------------------------------------------------


def test_mad_scale_is_robust_to_outliers() -> None:
    rng = np.random.default_rng(5)
    residuals = rng.normal(0, 1, 2000)
    residuals[::10] = 1e6  # 10 % wild outliers
    assert mad_scale(residuals) == pytest.approx(1.0, abs=0.15)
    assert mad_scale([0, 0, 0, 0, 3]) == pytest.approx(1.2533 * 0.6)  # MAD 0: mean |deviation|
    assert math.isnan(mad_scale([math.nan]))


def test_zscore_flags_an_injected_spike_and_nothing_else() -> None:
    rng = np.random.default_rng(1)
    forecast = np.full(500, 10.0)
    actual = forecast + rng.normal(0, 1, 500)
    actual[123] += 12.0
    z = robust_zscores(actual, forecast, residuals=rng.normal(0, 1, 300))
    assert np.flatnonzero(detect_anomalies(z, threshold=5.0)).tolist() == [123]


def test_nan_actuals_score_nan_and_never_flag() -> None:
    z = robust_zscores([1.0, math.nan, 50.0], [1.0, 1.0, 1.0], residuals=[-1.0, 0.0, 1.0])
    assert z[0] == 0.0 and math.isnan(z[1]) and z[2] > 5
    assert detect_anomalies(z).tolist() == [False, False, True]


def test_cooldown_suppresses_repeated_flags() -> None:
    z = np.array([0, 9, 9, 9, 0, 0, 9, 0, 9])
    assert np.flatnonzero(detect_anomalies(z, 5.0)).tolist() == [1, 2, 3, 6, 8]
    assert np.flatnonzero(detect_anomalies(z, 5.0, cooldown_steps=4)).tolist() == [1, 6]


def test_streaming_scores_flag_a_level_shift_but_not_the_noise_before_it() -> None:
    rng = np.random.default_rng(2)
    n, shift_at = 4 * 24 * 12, 3 * 24 * 12 + 40  # 4 days at 5 min, shift on day 4
    series = periodic(n, season=288) + rng.normal(0, 1, n)
    series[shift_at:] += 8.0
    scores = streaming_anomaly_scores(series, 300.0, DAY_SECONDS)
    flags = np.flatnonzero(detect_anomalies(scores.score, 1.6, cooldown_steps=144))
    warm = 2 * 288  # two seasons of history before the seasonal forecast takes over
    after_warmup = flags[flags >= warm]
    assert after_warmup.size and shift_at <= after_warmup[0] <= shift_at + 12  # within an hour
    assert np.abs(scores.z[warm:shift_at]).max() < 6


def test_streaming_scores_use_only_past_data() -> None:
    rng = np.random.default_rng(4)
    series = periodic(3 * 288, season=288) + rng.normal(0, 1, 3 * 288)
    base = streaming_anomaly_scores(series, 300.0, DAY_SECONDS)
    changed = series.copy()
    changed[700:] = 1e4
    other = streaming_anomaly_scores(changed, 300.0, DAY_SECONDS)
    for field in ("forecast", "scale", "z", "score"):
        np.testing.assert_array_equal(getattr(other, field)[:700], getattr(base, field)[:700])


# --- NAB scoring ------------------------------------------------------------------------------------

WINDOWS = [(200, 239), (500, 539)]  # 1000 rows: probation is the first 150


def detections(*rows: int) -> np.ndarray:
    flags = np.zeros(1000, dtype=bool)
    flags[list(rows)] = True
    return flags


def test_scaled_sigmoid_matches_nab() -> None:
    np.testing.assert_allclose(
        scaled_sigmoid([-1.0, -0.5, 0.0, 1.0, 3.0]), [0.98661, 0.84828, 0.0, -0.98661, -1.0], atol=1e-5
    )


def test_nab_perfect_detector_at_window_start_scores_100() -> None:
    score = nab_score(detections(200, 500), WINDOWS)
    assert score.normalized == pytest.approx(100.0)
    assert (score.detected_windows, score.false_positives) == (2, 0)


def test_nab_null_detector_scores_0() -> None:
    score = nab_score(detections(), WINDOWS)
    assert (score.raw, score.null, score.perfect) == (-2.0, -2.0, 2.0)
    assert score.normalized == 0.0


def test_nab_false_positive_only_detector_scores_negative() -> None:
    score = nab_score(detections(160, 400, 900), WINDOWS)
    assert score.false_positives == 3
    assert score.normalized < 0
    assert score.raw == pytest.approx(-2.0 - 3 * 0.11, abs=0.01)  # far from windows: full FP weight


def test_nab_counts_only_the_best_detection_and_ignores_probation() -> None:
    early = nab_score(detections(200), WINDOWS).raw
    late = nab_score(detections(235), WINDOWS).raw
    both = nab_score(detections(50, 200, 210, 235), WINDOWS)
    assert early > late
    assert both.raw == pytest.approx(early) and both.false_positives == 0
    right_after = nab_score(detections(241), WINDOWS).raw
    assert -2.0 - 0.11 < right_after < -2.0  # a false positive just after a window costs little


def test_nab_rejects_overlapping_windows() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        nab_score(detections(), [(200, 300), (250, 350)])


# --- capacity ---------------------------------------------------------------------------------------


def test_time_to_exhaustion_of_a_linear_ramp_is_analytic() -> None:
    ramp = 10.0 + 0.5 * np.arange(1000)  # +0.5 per 60 s step, newest value 509.5
    assert time_to_exhaustion(ramp, STEP, limit=1000.0) == pytest.approx((1000.0 - 509.5) / (0.5 / STEP))
    assert time_to_exhaustion(ramp, STEP, limit=100.0) == 0.0
    assert time_to_exhaustion(ramp[::-1], STEP, limit=2000.0) == math.inf
    free = ramp[::-1]  # free space shrinking to a floor of 0
    assert time_to_exhaustion(free, STEP, limit=0.0, direction="down") == pytest.approx(10.0 / (0.5 / STEP))


def test_trend_slope_is_recovered_despite_noise_outliers_and_gaps() -> None:
    rng = np.random.default_rng(9)
    t = np.arange(5000)
    series = 100 + 0.02 * t + rng.normal(0, 1, t.size)
    series[::13] += 400.0  # outliers that would bias least squares
    series[1000:1500] = np.nan
    trend = linear_trend(series, 30.0)
    assert trend.slope_per_second == pytest.approx(0.02 / 30.0, rel=0.02)
    assert trend.intercept == pytest.approx(100 + 0.02 * 4999, abs=1.0)
    assert trend.at(-4999 * 30.0) == pytest.approx(100.0, abs=1.5)


def test_trend_needs_two_finite_samples() -> None:
    with pytest.raises(InsufficientDataError):
        linear_trend([math.nan, 3.0], STEP)
    assert linear_trend([1.0, 3.0], 2.0) == Trend(1.0, 3.0)


def test_capacity_recommendation_text_and_severity() -> None:
    step = 3600.0
    used = np.arange(48) * 10.0  # +10 per hour, 470 used now: 720 more takes 72 h
    rec = capacity_recommendation("db-1", used, step, limit=470 + 10 * 72)
    assert rec.message == "disk on db-1 full in 3 d"
    assert rec.severity == "warning"
    assert capacity_recommendation("db-1", used, step, limit=480).severity == "critical"
    assert capacity_recommendation("db-1", used, step, limit=400).message == "disk on db-1 is full"
    flat = capacity_recommendation("db-2", np.full(48, 5.0), step, limit=100, resource="inodes")
    assert (flat.severity, flat.message, flat.seconds_to_exhaustion) == (
        "ok",
        "inodes on db-2 is not filling up",
        math.inf,
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (720, "12 min"), (5 * 3600, "5 h"), (3 * 86400, "3 d"), (6 * 604800, "6 w"), (math.inf, "never")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
