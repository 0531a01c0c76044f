"""bench/nab/phase.py: the phase factor is causal bit for bit, reads each hour's own noise, and f = 1 is shipped."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nab.corpus import Series
from nab.phase import VARIANTS, phase_factor, signals

from generator.exporter.anomaly import DEFAULT_PARAMS, combined_score, streaming_anomaly_scores

STEP, HOUR, DAY = 1800.0, 2, 48
NOISY_HOURS = (6, 7, 8)


def _series(values: np.ndarray) -> Series:
    """A file on a regular half-hourly grid starting at midnight UTC, without windows."""
    n = values.size
    stamps = (1_400_000_000.0 - 1_400_000_000.0 % 86_400 + STEP * np.arange(n)).astype(np.float64)
    slot = np.arange(n, dtype=np.int64)
    return Series("g/f.csv", "g", tuple(str(s) for s in stamps), stamps, values, STEP, values, slot, ())


def _noisy_mornings(n: int, seed: int = 3) -> np.ndarray:
    """A daily cycle whose Laplace noise is 4 times larger from 6 to 9 o'clock."""
    t = np.arange(n)
    spread = np.where(np.isin(t % DAY // HOUR, NOISY_HOURS), 0.4, 0.1)
    return 10.0 + np.sin(2 * np.pi * t / DAY) + np.random.default_rng(seed).laplace(0.0, 1.0, n) * spread


def test_perturbing_the_future_leaves_every_earlier_signal_bitwise_unchanged() -> None:
    values = _noisy_mornings(1600)
    values[[400, 401, 1100]] = np.nan
    before = signals(_series(values), streaming_anomaly_scores(values, STEP, 86_400.0))
    assert np.isfinite(before[:, 1000:]).sum() > 0.9 * before[:, 1000:].size
    for cut in (700, 1201, 1590):
        changed = values.copy()
        changed[cut:] = np.random.default_rng(cut).normal(30.0, 5.0, values.size - cut)
        changed[cut + 3 : cut + 6] = np.nan
        after = signals(_series(changed), streaming_anomaly_scores(changed, STEP, 86_400.0))
        assert np.array_equal(before[:, :cut], after[:, :cut], equal_nan=True)
        assert not np.array_equal(before[:, cut + 1 :], after[:, cut + 1 :], equal_nan=True)


def test_the_factor_reads_each_hours_own_noise_and_is_one_until_a_phase_is_known() -> None:
    values = _noisy_mornings(1600)
    residual = values - (10.0 + np.sin(2 * np.pi * np.arange(values.size) / DAY))
    factor = phase_factor(residual, 0.0, STEP, 86_400.0, 0.5)
    assert (factor[: 3 * DAY] == 1.0).all()  # 6 samples of each hour: 3 days at 2 an hour
    hour = np.arange(values.size) % DAY // HOUR
    late = np.arange(values.size) >= 10 * DAY
    noisy, quiet = factor[late & np.isin(hour, NOISY_HOURS)], factor[late & ~np.isin(hour, NOISY_HOURS)]
    assert 3.0 < np.median(noisy) < 4.0 and 0.8 < np.median(quiet) < 1.0  # 4 x the quiet hours, around the overall
    flat = phase_factor(np.where(hour == 0, 0.0, residual), 0.0, STEP, 86_400.0, 0.5)
    assert (flat[late & (hour == 0)] == 0.5).all()  # a phase of zeros at most doubles its residual


def test_f_equal_to_one_recomputes_the_shipped_residual_score_bit_for_bit() -> None:
    values = _noisy_mornings(1200)
    scores = streaming_anomaly_scores(values, STEP, 86_400.0)
    rows = signals(_series(values), scores)
    assert np.array_equal(rows[0], scores.residual_score, equal_nan=True)
    control, _ = VARIANTS["shipped (f = 1)"]
    assert np.array_equal(control(scores, rows, DEFAULT_PARAMS), combined_score(scores, DEFAULT_PARAMS), equal_nan=True)
    assert not np.array_equal(rows[1], rows[0], equal_nan=True)
