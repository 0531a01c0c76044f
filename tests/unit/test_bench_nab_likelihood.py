"""bench/nab/likelihood.py: the trial of HTM's anomaly likelihood, causal bit for bit and alarming on a shift."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from nab.likelihood import LONG, REFIT, SHORT, anomaly_likelihood  # noqa: E402


def _errors(n: int = 3 * REFIT + 50, seed: int = 7) -> np.ndarray:
    return np.abs(np.random.default_rng(seed).normal(0.0, 1.0, n))


def test_a_sustained_rise_of_the_errors_alarms_and_steady_noise_does_not() -> None:
    errors = _errors()
    quiet = anomaly_likelihood(errors, np.full(errors.size, np.nan), warmup=50)
    assert np.nanmax(quiet) < 1.0
    shifted = errors.copy()
    shifted[-SHORT:] += 10.0
    assert anomaly_likelihood(shifted, np.full(errors.size, np.nan), warmup=50)[-1] > 1.0


def test_nan_until_warmup_and_the_floor_bounds_the_deviation() -> None:
    errors = np.full(2 * REFIT, 1.0)
    errors[-1] = 2.0
    out = anomaly_likelihood(errors, np.full(errors.size, 0.5), warmup=REFIT)
    assert np.isnan(out[:REFIT]).all()
    assert out[-1] == (np.mean(errors[-SHORT:]) - 1.0) / 0.5 / 4.264890793922825  # zero spread: the floor


def test_perturbing_the_future_leaves_every_earlier_value_bitwise_unchanged() -> None:
    errors = _errors(LONG // 20)
    before = anomaly_likelihood(errors, np.full(errors.size, 0.01), warmup=20)
    for cut in (REFIT - 1, REFIT, 2 * REFIT + 17):
        changed = errors.copy()
        changed[cut:] = np.random.default_rng(cut).normal(5.0, 3.0, errors.size - cut) ** 2
        after = anomaly_likelihood(changed, np.full(errors.size, 0.01), warmup=20)
        assert np.array_equal(before[:cut], after[:cut], equal_nan=True)
        assert not np.array_equal(before[cut:], after[cut:], equal_nan=True)
