"""The streaming anomaly detector: robust z, the combined score, alarms, and causality bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.exporter.anomaly import (
    DetectorParams,
    detect,
    mad_scale,
    robust_zscores,
    streaming_anomaly_scores,
)
from generator.exporter.forecast import DAY_SECONDS, FloatArray

STEP = 300.0
DAY = 288  # samples a day at STEP


def daily(days: float, seed: int, noise: float = 1.0) -> FloatArray:
    """A daily rhythm with noise, at 5-minute steps."""
    n = round(days * DAY)
    k = np.arange(n)
    rng = np.random.default_rng(seed)
    series: FloatArray = 50 + 10 * np.sin(2 * np.pi * k / DAY) + rng.normal(0, noise, n)
    return series


def alarms(series: FloatArray) -> list[int]:
    scores = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    return np.flatnonzero(detect(scores.score, STEP)).tolist()


def test_mad_scale_is_robust_to_outliers() -> None:
    rng = np.random.default_rng(5)
    residuals = rng.normal(0, 1, 2000)
    residuals[::10] = 1e6  # 10 % wild outliers
    assert mad_scale(residuals) == pytest.approx(1.0, abs=0.15)
    assert mad_scale([0, 0, 0, 0, 3]) == pytest.approx(1.2533 * 0.6)  # MAD 0: mean |deviation|
    assert math.isnan(mad_scale([math.nan]))


def test_zscore_singles_out_an_injected_spike() -> None:
    rng = np.random.default_rng(1)
    forecast = np.full(500, 10.0)
    actual = forecast + rng.normal(0, 1, 500)
    actual[123] += 12.0
    z = robust_zscores(actual, forecast, residuals=rng.normal(0, 1, 300))
    assert np.flatnonzero(np.abs(z) > 5).tolist() == [123]
    nan_z = robust_zscores([1.0, math.nan, 50.0], [1.0, 1.0, 1.0], residuals=[-1.0, 0.0, 1.0])
    assert nan_z[0] == 0.0 and math.isnan(nan_z[1]) and nan_z[2] > 5


def test_an_alarm_is_raised_once_per_episode_and_rearms_after_a_quiet_spell() -> None:
    params = DetectorParams(rearm_seconds=3 * STEP, min_gap_seconds=5 * STEP)
    nan = math.nan
    score = np.array([0, 2, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, nan, nan, nan, nan, nan, 3.0])
    # 1: alarm, 2 the same episode; 6 follows 3 quiet steps but comes within 5 steps of the alarm;
    # 12 follows a quiet spell ending 10 steps after the alarm; NaN counts as quiet
    assert np.flatnonzero(detect(score, STEP, params)).tolist() == [1, 12, 18]
    assert not detect(np.full(5, math.nan), STEP, params).any()


def test_a_level_shift_alarms_within_the_hour_and_the_noise_before_it_does_not() -> None:
    series = daily(5, seed=2)
    shift_at = 4 * DAY + 40
    series[shift_at:] += 8.0
    found = [i for i in alarms(series) if i >= DAY]  # NAB-style probation: the first day learns
    assert found and shift_at <= found[0] <= shift_at + 12


def test_a_first_ever_high_alarms_and_its_return_does_not() -> None:
    series = daily(4, seed=6)
    series[3 * DAY : 3 * DAY + 6] = 95.0  # 30 minutes far above anything before
    found = [i for i in alarms(series) if i >= DAY]
    assert found == [3 * DAY]


def test_a_nightly_spike_that_drifts_past_its_season_alarms_only_while_new() -> None:
    series = daily(12, seed=8)
    for day in range(12):
        at = day * DAY + 100 + 3 * day  # 15 minutes later every night: the seasonal forecast misses it
        series[at : at + 2] += 40.0
    found = [i for i in alarms(series) if i >= 2 * DAY]
    assert found == []  # by day 3 the spike's shape has been seen twice; its range too


def test_scores_use_only_past_data_bit_for_bit() -> None:
    series = daily(6, seed=4)
    cut = 4 * DAY + 7
    base = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    future = series.copy()
    future[cut:] = np.random.default_rng(9).normal(1e4, 1e3, series.size - cut)
    future[cut + 50 : cut + 90] = np.nan
    other = streaming_anomaly_scores(future, STEP, DAY_SECONDS)
    for field in ("forecast", "residual", "scale", "z", "residual_score", "range_score", "pattern_score",
                  "shift_score", "score"):
        np.testing.assert_array_equal(getattr(other, field)[:cut], getattr(base, field)[:cut], err_msg=field)
    assert np.isfinite(base.shift_score[cut - DAY : cut]).all()  # the level shift is scored, not NaN
    assert not np.array_equal(other.score[cut:], base.score[cut:], equal_nan=True)
    assert not np.array_equal(other.shift_score[cut:], base.shift_score[cut:], equal_nan=True)
    np.testing.assert_array_equal(detect(other.score, STEP)[:cut], detect(base.score, STEP)[:cut])


@pytest.mark.parametrize("back", [1, 3, 200])
def test_scores_from_a_later_sample_equal_the_full_computation(back: int) -> None:
    series = daily(10, seed=10)  # 10 days: the sidecar's level shift reads only the last ~6 of them
    series[9 * DAY :] += 5.0
    series[2 * DAY : 2 * DAY + 30] = np.nan
    full = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    since = series.size - back
    newest = streaming_anomaly_scores(series, STEP, DAY_SECONDS, since=since)
    for field in ("forecast", "z", "residual_score", "range_score", "pattern_score", "shift_score", "score"):
        np.testing.assert_array_equal(getattr(newest, field)[since:], getattr(full, field)[since:], err_msg=field)
    assert np.isnan(newest.score[:since]).all() and np.isnan(newest.shift_score[:since]).all()
    assert np.isfinite(full.shift_score[since:]).all()


def test_perfectly_smooth_history_does_not_make_a_tiny_wobble_anomalous() -> None:
    k = np.arange(5 * DAY)
    smooth: FloatArray = 50 + 10 * np.sin(2 * np.pi * (k % DAY) / DAY)  # every day repeats bit for bit
    wobble = smooth.copy()
    wobble[-3:] *= 1 + 1e-4  # its one-step residuals were all 0: without a floor this scores inf
    newest = streaming_anomaly_scores(wobble, STEP, DAY_SECONDS, since=wobble.size - 1)
    assert newest.residual_score[-1] < 0.1 and newest.pattern_score[-1] < 1.0 and newest.score[-1] < 1.0
    drop = smooth.copy()
    drop[-DAY // 2 :] *= 0.7  # a 30 % drop is still an incident
    found = np.flatnonzero(detect(streaming_anomaly_scores(drop, STEP, DAY_SECONDS).score, STEP))
    assert found[-1] >= drop.size - DAY // 2


def test_a_quiet_series_first_order_after_days_of_zeros_scores_no_inf() -> None:
    quiet: FloatArray = np.zeros(5 * DAY)  # orders_rate on a quiet night: exactly 0, no scale to judge by
    quiet[-1] = 1 / STEP  # one order
    newest = streaming_anomaly_scores(quiet, STEP, DAY_SECONDS, since=quiet.size - 1)
    assert not np.isinf(newest.score[-1]) and not newest.score[-1] > 1.0  # +Inf paged ForecastAnomaly
    assert math.isnan(newest.z[-1]) and not np.isinf(newest.residual_score[-1])
    assert math.isnan(robust_zscores([1.0], [0.0], residuals=[0.0, 0.0, 0.0])[0])
    sparse: FloatArray = np.zeros(5 * DAY)
    sparse[-2 * DAY :: 97] = 1 / STEP  # an order every 8 hours: not an incident
    assert not detect(streaming_anomaly_scores(sparse, STEP, DAY_SECONDS).score, STEP)[-2 * DAY :].any()


@pytest.mark.parametrize("level", [1 / STEP, 1.0, 1e6])
def test_a_move_off_days_of_exact_zeros_scores_finite_and_still_alarms(level: float) -> None:
    flat: FloatArray = np.zeros(5 * DAY)  # a day (and more) exactly 0: the level shift's sigma and floor are 0
    flat[-DAY // 2 :] = level  # then any value, held: a real shift
    scores = streaming_anomaly_scores(flat, STEP, DAY_SECONDS)
    assert not np.isinf(scores.shift_score).any() and not np.isinf(scores.score).any()
    found = np.flatnonzero(detect(scores.score, STEP))
    assert found.size and flat.size - DAY // 2 <= found[0] < flat.size - DAY // 2 + 12  # within the hour
    newest = streaming_anomaly_scores(flat[: -DAY // 2 + 6], STEP, DAY_SECONDS, since=flat.size - DAY // 2 + 5)
    assert np.isfinite(newest.shift_score[-1]) and newest.score[-1] > 1.0  # the sidecar's newest sample too


def test_a_ratio_exactly_0_all_day_then_0_over_0_at_night_scores_no_inf() -> None:
    """errors/requests: exactly 0 through a day, then NaN (0/0, no traffic) for the last two hours. The level shift
    of an hour with no value off a day of zeros (sigma 0) was NaN / 0, made +Inf: exported as
    obsgen_anomaly_score +Inf, it paged AnomalyDetected every quiet night; a move with no value is undefined."""
    ratio: FloatArray = np.zeros(5 * DAY)
    ratio[-24:] = np.nan
    newest = streaming_anomaly_scores(ratio, STEP, DAY_SECONDS, since=ratio.size - 1)
    assert not np.isinf(newest.shift_score[-1]) and not np.isinf(newest.score[-1]), newest.score[-1]
    full = streaming_anomaly_scores(ratio, STEP, DAY_SECONDS)
    assert not np.isinf(full.shift_score).any() and not detect(full.score, STEP).any()
