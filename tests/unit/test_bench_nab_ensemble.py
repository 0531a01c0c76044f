"""bench/nab/ensemble.py: the second scores are causal bit for bit, see what they are meant to, and NaN is shipped."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nab.corpus import Series
from nab.ensemble import VARIANTS, signals, variance_change_score

from generator.exporter.anomaly import DEFAULT_PARAMS, combined_score, level_shift_score, streaming_anomaly_scores

STEP, DAY = 1800.0, 48


def _series(values: np.ndarray) -> Series:
    """A file on a regular half-hourly grid, without windows."""
    n = values.size
    stamps = (1_400_000_000.0 + STEP * np.arange(n)).astype(np.float64)
    slot = np.arange(n, dtype=np.int64)
    return Series("g/f.csv", "g", tuple(str(s) for s in stamps), stamps, values, STEP, values, slot, ())


def _daily(n: int, seed: int = 5) -> np.ndarray:
    t = np.arange(n)
    return 10.0 + np.sin(2 * np.pi * t / DAY) + np.random.default_rng(seed).normal(0.0, 0.1, n)


def test_perturbing_the_future_leaves_every_earlier_combined_score_bitwise_unchanged() -> None:
    values = _daily(1000)
    values[[300, 301, 700]] = np.nan

    def combined(v: np.ndarray) -> np.ndarray:
        scores = streaming_anomaly_scores(v, STEP, 86_400.0)
        rows = signals(_series(v), scores)
        return np.vstack([np.stack([c(scores, rows, DEFAULT_PARAMS) for c, _ in VARIANTS.values()]), rows[1:]])

    assert_causal(combined, values, slice(2, None))


def assert_causal(combined: Callable[[np.ndarray], np.ndarray], values: np.ndarray, moved: slice) -> None:
    """Replacing ``values`` from each of 3 cuts on leaves every row of ``combined`` bitwise unchanged before the
    cut, and changes rows ``moved`` after it (mostly finite from sample 600)."""
    before = combined(values)
    assert np.isfinite(before[:, 600:]).sum() > 0.9 * before[:, 600:].size
    for cut in (450, 801, 990):
        changed = values.copy()
        changed[cut:] = np.random.default_rng(cut).normal(30.0, 5.0, values.size - cut)
        changed[cut + 2 : cut + 4] = np.nan
        after = combined(changed)
        assert np.array_equal(before[:, :cut], after[:, :cut], equal_nan=True)
        assert not np.array_equal(before[moved, cut:], after[moved, cut:], equal_nan=True)


def test_the_level_shift_and_variance_change_scores_peak_where_the_series_changes_that_way() -> None:
    values = _daily(800)
    shifted = values + np.where(np.arange(800) >= 500, 6.0, 0.0)
    level = level_shift_score(shifted, STEP)
    assert np.nanargmax(level[400:]) + 400 in range(500, 503) and np.nanmax(level) > 2.0
    assert np.isnan(level[: DAY // 2]).all()  # no baseline from less than half a day
    noisy = values + np.where(np.arange(800) >= 600, np.random.default_rng(1).normal(0.0, 0.5, 800), 0.0)
    spread = variance_change_score(noisy - 10.0 - np.sin(2 * np.pi * np.arange(800) / DAY), STEP)
    assert np.nanmax(spread[600:612]) > 2 * np.nanmax(spread[400:600])  # within 6 hours of the change


def test_a_nan_second_score_is_the_shipped_detector_bit_for_bit() -> None:
    values = _daily(700)
    scores = streaming_anomaly_scores(values, STEP, 86_400.0)
    rows = signals(_series(values), scores)
    control, _ = VARIANTS["shipped (second NaN)"]
    assert np.isnan(rows[0]).all() and np.isfinite(rows[1:, 400:]).all()
    # residual 2: the shipped score ORs the level shift over its own threshold (5), so at the default residual
    # threshold (also 5) the trial's "+ level shift" would add nothing the test could see
    params = dataclasses.replace(DEFAULT_PARAMS, residual_threshold=2.0)
    shipped = combined_score(scores, params)
    assert np.array_equal(control(scores, rows, params), shipped, equal_nan=True)
    for row, name in enumerate(("+ seasonal-naive residual", "+ level shift", "+ variance change"), 1):
        combine, _ = VARIANTS[name]
        ored = np.fmax(shipped, rows[row] / params.residual_threshold)
        assert np.array_equal(combine(scores, rows, params), ored, equal_nan=True)
        assert not np.array_equal(ored, shipped, equal_nan=True)
