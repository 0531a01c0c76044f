"""bench/nab/adaptive.py: the adaptive threshold's statistics are causal bit for bit and scale the residual alone."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from nab.adaptive import AdaptParams, adapted, rolling_kurtosis, rolling_share_above, statistics  # noqa: E402

from generator.exporter.anomaly import DEFAULT_PARAMS, combined_score, streaming_anomaly_scores  # noqa: E402

STEP = 300.0


def _series(n: int, seed: int = 1) -> np.ndarray:
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 288) + np.random.default_rng(seed).standard_t(3, n) * 0.1


def test_perturbing_the_future_leaves_every_earlier_statistic_bitwise_unchanged() -> None:
    values = _series(2200)
    before = statistics(STEP, streaming_anomaly_scores(values, STEP, 86_400.0))
    assert np.isfinite(before).all() and (before != 1.0).any(axis=1).all()  # every variant is defined and moves
    for cut in (1000, 1801, 2190):
        changed = values.copy()
        changed[cut:] = np.random.default_rng(cut).normal(30.0, 5.0, values.size - cut)
        after = statistics(STEP, streaming_anomaly_scores(changed, STEP, 86_400.0))
        assert np.array_equal(before[:, :cut], after[:, :cut])
        assert not np.array_equal(before[:, cut + 1 :], after[:, cut + 1 :])


def test_the_exponent_scales_the_residual_threshold_alone() -> None:
    values = _series(1500)
    values[1400] += 5.0
    scores = streaming_anomaly_scores(values, STEP, 86_400.0)
    g = np.full((4, values.size), 2.0)
    shipped = AdaptParams(**dataclasses.asdict(DEFAULT_PARAMS))
    assert np.array_equal(adapted(1)(scores, g, shipped), combined_score(scores, DEFAULT_PARAMS), equal_nan=True)
    doubled = dataclasses.replace(DEFAULT_PARAMS, residual_threshold=2 * DEFAULT_PARAMS.residual_threshold)
    scaled = adapted(1)(scores, g, dataclasses.replace(shipped, exponent=1.0))
    assert np.allclose(scaled, combined_score(scores, doubled), equal_nan=True, rtol=1e-12, atol=0.0)


def test_rolling_share_and_kurtosis_read_only_the_window_before_each_sample() -> None:
    score = np.array([np.nan, 2.0, 0.5, 2.0, 0.5, 0.5, 3.0])
    share = rolling_share_above(score, 4, 2)
    assert np.isnan(share[:3]).all()  # at most one finite value before
    assert share[3] == 0.5 and share[4] == 2 / 3 and share[6] == 0.25  # [2, 0.5]; [2, 0.5, 2]; [0.5, 2, 0.5, 0.5]
    normal = np.random.default_rng(5).normal(0.0, 1.0, 20_000)
    kurtosis = rolling_kurtosis(normal, 10_000, 100, 100)
    assert np.isnan(kurtosis[:100]).all() and abs(kurtosis[-1] - 3.0) < 0.2
