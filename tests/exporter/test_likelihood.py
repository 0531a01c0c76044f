"""HTM's anomaly likelihood: the normal tail, a sustained rise in error against one spike, causality."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.exporter.anomaly import DetectorParams, detect, streaming_anomaly_scores
from generator.exporter.forecast import DAY_SECONDS, FloatArray
from generator.exporter.likelihood import MIN_SAMPLES, anomaly_likelihood, neg_log10_tail

STEP = 300.0
DAY = 288


def noisy_errors(n: int, seed: int) -> FloatArray:
    """Raw scores as a well-predicted series gives them: small, uniform in [0, 0.3]."""
    return np.random.default_rng(seed).uniform(0.0, 0.3, n)


def test_the_normal_tail_is_exact_near_zero_and_finite_far_out() -> None:
    got = neg_log10_tail([0.0, 4.264890794, 29.999, 30.0, 60.0, math.nan])
    assert got[0] == pytest.approx(math.log10(2.0))
    assert got[1] == pytest.approx(5.0, abs=1e-6)  # Q(4.2649) = 1e-5: NuPIC's red threshold
    assert got[3] == pytest.approx(got[2], rel=1e-3)  # the asymptotic tail joins the exact one
    assert math.isfinite(got[4]) and got[4] > got[3]
    assert math.isnan(got[5])


def test_a_sustained_rise_in_error_is_unlikely_and_one_spike_is_not() -> None:
    raw = noisy_errors(2000, seed=3)
    raw[1500] = 1.0  # one error at the edge of the tail
    raw[1800:1830] = 0.6  # errors twice the usual for 30 samples
    score = anomaly_likelihood(raw)
    assert np.isnan(score[: MIN_SAMPLES]).all()  # NuPIC's learning period and first estimate
    assert np.nanmax(score[:1800]) < 1.0
    assert (score[1805:1830] > 1.0).all()


def test_a_later_start_and_a_changed_future_leave_each_value_bit_for_bit() -> None:
    raw = noisy_errors(3000, seed=4)
    full = anomaly_likelihood(raw)
    np.testing.assert_array_equal(anomaly_likelihood(raw, start=2345)[2345:], full[2345:])
    changed = raw.copy()
    changed[2000:] = 1.0
    np.testing.assert_array_equal(anomaly_likelihood(changed)[:2000], full[:2000])


def test_detection_with_the_likelihood_catches_a_small_level_shift_the_other_signals_miss() -> None:
    k = np.arange(8 * DAY)
    series: FloatArray = 50 + 10 * np.sin(2 * np.pi * k / DAY) + np.random.default_rng(4).normal(0, 1.0, k.size)
    onset = 7 * DAY + 100
    series[onset:] += 2.5  # 2.5 sigma: each sample within the tail of the errors, their average not
    off = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    params = DetectorParams(likelihood_threshold=1.0)
    on = streaming_anomaly_scores(series, STEP, DAY_SECONDS, params)
    assert np.isnan(off.likelihood_score).all()  # off by default: not computed
    np.testing.assert_array_equal(on.residual_score, off.residual_score)  # the same signal, read further back
    assert not detect(off.score, STEP)[DAY:].any()
    found = np.flatnonzero(detect(on.score, STEP, params)[DAY:]) + DAY
    assert found.tolist() and onset <= found[0] < onset + 24
