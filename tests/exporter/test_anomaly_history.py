"""The detector on a young series (a day of history) and on one with gaps: both still see the obvious."""

from __future__ import annotations

import numpy as np

from generator.exporter.anomaly import DetectorParams, detect, streaming_anomaly_scores
from generator.exporter.forecast import DAY_SECONDS, FloatArray
from generator.exporter.novelty import nearest_past_distance

STEP = 300.0
DAY = 288  # samples a day at STEP


def young_series(seed: int) -> FloatArray:
    """A newly deployed service: a daily rhythm observed for 1 day and 5 hours, a spike at 1 day + 1 hour."""
    k = np.arange(DAY + 60)
    series: FloatArray = 100 + 20 * np.sin(2 * np.pi * k / DAY) + np.random.default_rng(seed).normal(0, 2, k.size)
    series[DAY + 12] += 80.0
    return series


def gappy_series(seed: int) -> tuple[FloatArray, slice]:
    """A 50-minute on/off job for 6 days with ~30 % of samples lost in 15-45 minute outages; on day 6 the
    job stops for 3 hours (the value holds at its mean: inside the range, near the blurred forecast)."""
    k = np.arange(6 * DAY)
    rng = np.random.default_rng(seed)
    series: FloatArray = 50 + 10 * np.sign(np.sin(2 * np.pi * (k + 0.5) / 10)) + rng.normal(0, 1, k.size)
    stop = slice(5 * DAY + 100, 5 * DAY + 136)
    series[stop] = 50 + rng.normal(0, 1, 36)
    at = int(rng.integers(0, 12))
    while at < k.size:
        length = int(rng.integers(3, 10))
        series[at : at + length] = np.nan
        at += length + int(rng.integers(10, 20))
    return series, stop


def test_a_young_series_first_cycle_does_not_hide_a_spike_after_it() -> None:
    params = DetectorParams(range_arm_seconds=DAY_SECONDS)
    for seed in range(5):
        series = young_series(seed)
        scores = streaming_anomaly_scores(series, STEP, DAY_SECONDS, params)
        # without arming, the first day's maximum is "beyond the range of all history" and its alarm's
        # 24 h gap hides the spike; armed after a day, the spike is the only alarm
        assert np.flatnonzero(detect(scores.score, STEP, params)).tolist() == [DAY + 12], seed
        unarmed = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
        assert np.flatnonzero(detect(unarmed.score, STEP))[0] < DAY, seed  # what the default still does


def test_history_seconds_counts_from_the_first_sample_with_data() -> None:
    series = young_series(0)
    series[:10] = np.nan
    scores = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    assert np.isnan(scores.history_seconds[:10]).all()
    assert scores.history_seconds[10] == 0.0 and scores.history_seconds[-1] == (series.size - 11) * STEP


def test_the_pattern_signal_survives_gaps_and_sees_a_stopped_job() -> None:
    series, stop = gappy_series(3)
    assert 0.25 < np.isnan(series).mean() < 0.35
    strict = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    assert np.isnan(strict.pattern_score[DAY:]).mean() > 0.9  # nearly every 2 h shape has an empty block
    assert not detect(strict.score, STEP).any()
    params = DetectorParams(pattern_min_coverage=0.5)
    tolerant = streaming_anomaly_scores(series, STEP, DAY_SECONDS, params)
    assert np.isnan(tolerant.pattern_score[DAY:]).mean() < 0.05
    found = np.flatnonzero(detect(tolerant.score, STEP, params))
    assert found.size == 1 and stop.start <= found[0] < stop.stop


def test_partial_distances_match_brute_force_and_full_rows_are_unchanged_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    features = rng.normal(0, 1, (150, 8))
    features[rng.random(features.shape) < 0.2] = np.nan
    found = nearest_past_distance(features, stride=2, exclusion=5, min_coverage=0.5)
    for i in range(150):
        distances = []
        for j in range(0, i - 5 + 1, 2):
            both = np.isfinite(features[i]) & np.isfinite(features[j])
            if both.sum() >= 4 and np.isfinite(features[j]).sum() >= 4 and np.isfinite(features[i]).sum() >= 4:
                distances.append(np.sqrt(((features[i] - features[j])[both] ** 2).sum() * 8 / both.sum()))
        if distances:
            assert abs(found[i] - min(distances)) < 1e-12, i
        else:
            assert np.isnan(found[i]), i
    full = rng.normal(0, 1, (150, 8))
    np.testing.assert_array_equal(
        nearest_past_distance(full, 2, 5, min_coverage=0.5), nearest_past_distance(full, 2, 5)
    )


FIELDS = ("forecast", "residual_score", "range_score", "pattern_score", "history_seconds", "score")


def test_armed_and_gap_tolerant_scores_use_only_past_data_bit_for_bit() -> None:
    params = DetectorParams(range_arm_seconds=DAY_SECONDS, pattern_min_coverage=0.5)
    series, _ = gappy_series(5)
    cut = 4 * DAY + 7
    base = streaming_anomaly_scores(series, STEP, DAY_SECONDS, params)
    future = series.copy()
    future[cut:] = np.random.default_rng(9).normal(1e4, 1e3, series.size - cut)
    future[cut + 50 : cut + 90] = np.nan
    other = streaming_anomaly_scores(future, STEP, DAY_SECONDS, params)
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(other, field)[:cut], getattr(base, field)[:cut], err_msg=field)
    assert not np.array_equal(other.score[cut:], base.score[cut:], equal_nan=True)
    since = series.size - 3
    newest = streaming_anomaly_scores(series, STEP, DAY_SECONDS, params, since=since)
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(newest, field)[since:], getattr(base, field)[since:], err_msg=field)
