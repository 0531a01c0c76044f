"""bench/nab/artime.py: the ARTime-style trial, causal bit for bit, alarming on a step and learning what repeats."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from nab.artime import FEATURES, WINDOW, art_distance, artime_signal  # noqa: E402

STEP = 300.0


def _series(n: int = 4000, seed: int = 1) -> np.ndarray:
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 288) + np.random.default_rng(seed).normal(0, 0.1, n)


def test_a_step_of_thirty_sigmas_scores_well_above_the_noise() -> None:
    values = _series()
    values[3500:3520] += 3.0
    signal = artime_signal(values, STEP)
    assert np.nanmax(signal[1000:3500]) < 1.5
    assert np.nanmax(signal[3500:3540]) > 2.0


def test_a_window_met_before_is_at_distance_zero_and_a_new_one_is_not() -> None:
    rng = np.random.default_rng(3)
    pattern = rng.uniform(0.3, 0.7, (1, FEATURES))
    features = np.repeat(pattern, 3 * WINDOW, axis=0)
    features[-1] = 0.9
    features[WINDOW] = np.nan
    distance = art_distance(features)
    assert np.isnan(distance[: WINDOW + 1]).all()  # nothing learned before row WINDOW; row WINDOW is missing
    assert (distance[WINDOW + 1 : -1] == 0.0).all()
    assert distance[-1] > 0.1


def test_perturbing_the_future_leaves_every_earlier_value_bitwise_unchanged() -> None:
    values = _series(3000)
    before = artime_signal(values, STEP)
    for cut in (900, 1701, 2990):
        changed = values.copy()
        changed[cut:] = np.random.default_rng(cut).normal(30.0, 5.0, values.size - cut)
        after = artime_signal(changed, STEP)
        assert np.array_equal(before[:cut], after[:cut], equal_nan=True)
        assert not np.array_equal(before[cut:], after[cut:], equal_nan=True)
