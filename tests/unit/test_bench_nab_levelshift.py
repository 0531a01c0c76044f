"""bench/nab/levelshift.py: causal bit for bit, the level shift over its own threshold, the seasonal one sees
a shift the plain one misses on a strongly seasonal series."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nab.corpus import Series
from nab.evaluation import BASE_GRID, DETECTOR_GRID, SHIFT_THRESHOLDS
from nab.levelshift import (
    FIXED_GRID,
    JOINT_GRID,
    VARIANTS,
    before_shift,
    season_differenced_shift_score,
    signals,
)

from generator.exporter.anomaly import DEFAULT_PARAMS, DetectorParams, combined_score, streaming_anomaly_scores
from tests.unit.test_bench_nab_ensemble import assert_causal

STEP, DAY, SEASON = 1800.0, 48, 86_400.0


def _series(values: np.ndarray) -> Series:
    """A file on a regular half-hourly grid, without windows (1000 samples: pick_season says daily)."""
    n = values.size
    stamps = (1_400_000_000.0 + STEP * np.arange(n)).astype(np.float64)
    slot = np.arange(n, dtype=np.int64)
    return Series("g/f.csv", "g", tuple(str(s) for s in stamps), stamps, values, STEP, values, slot, ())


def _daily(n: int, amplitude: float = 1.0, seed: int = 5) -> np.ndarray:
    t = np.arange(n)
    return 10.0 + amplitude * np.sin(2 * np.pi * t / DAY) + np.random.default_rng(seed).normal(0.0, 0.1, n)


def _params(threshold: float) -> DetectorParams:
    return dataclasses.replace(DEFAULT_PARAMS, shift_threshold=threshold)


def test_perturbing_the_future_leaves_every_earlier_combined_score_bitwise_unchanged() -> None:
    values = _daily(1000)
    values[[300, 301, 700]] = np.nan

    def combined(v: np.ndarray) -> np.ndarray:
        scores = streaming_anomaly_scores(v, STEP, SEASON)
        rows = signals(_series(v), scores)
        return np.vstack([np.stack([c(scores, rows, _params(5.0)) for c, _ in VARIANTS.values()]), rows[1:]])

    assert_causal(combined, values, slice(-2, None))  # the two second scores


def test_each_variant_divides_its_second_score_by_the_shift_threshold_and_nan_is_shipped() -> None:
    values = _daily(1000)
    values[600:] += 1.5
    scores = streaming_anomaly_scores(values, STEP, SEASON)
    rows = signals(_series(values), scores)
    assert np.isnan(rows[0]).all() and np.isfinite(rows[1:, 400:]).all()
    shipped = before_shift(scores, DEFAULT_PARAMS)
    control, _ = VARIANTS["shipped (second NaN)"]
    for threshold in SHIFT_THRESHOLDS:
        assert np.array_equal(control(scores, rows, _params(threshold)), shipped, equal_nan=True)
    for name, row in (("+ level shift, own threshold", 1), ("+ level shift, threshold 5", 1),
                      ("+ seasonal-diff level shift", 2)):
        combine, _ = VARIANTS[name]
        outputs = [combine(scores, rows, _params(t)) for t in (2.0, 8.0)]
        for threshold, out in zip((2.0, 8.0), outputs, strict=True):
            assert np.array_equal(out, np.fmax(shipped, rows[row] / threshold), equal_nan=True)
            if row == 1:  # what shipped: the exporter's combined score is this variant
                assert np.array_equal(out, combined_score(scores, _params(threshold)), equal_nan=True)
        assert not np.array_equal(outputs[0], outputs[1], equal_nan=True)  # the threshold is read


def test_the_grids_pair_every_detector_set_with_its_shift_thresholds_in_order() -> None:
    assert JOINT_GRID == DETECTOR_GRID and len(BASE_GRID) == 405 and SHIFT_THRESHOLDS == (3.0, 5.0, 8.0)
    base = [dataclasses.replace(p, shift_threshold=DEFAULT_PARAMS.shift_threshold) for p in JOINT_GRID]
    assert base == [p for p in BASE_GRID for _ in SHIFT_THRESHOLDS]
    assert [p.shift_threshold for p in JOINT_GRID] == list(SHIFT_THRESHOLDS) * len(BASE_GRID)
    assert {p.shift_threshold for p in FIXED_GRID} == {5.0} and len(FIXED_GRID) == len(BASE_GRID)


def test_the_season_differenced_shift_sees_a_shift_the_plain_one_misses_on_a_strong_season() -> None:
    values = _daily(800, amplitude=3.0)
    shifted = values + np.where(np.arange(800) >= 500, 1.0, 0.0)
    rows = signals(_series(shifted), streaming_anomaly_scores(shifted, STEP, SEASON))
    seasonal = season_differenced_shift_score(shifted, STEP, SEASON)
    assert np.array_equal(seasonal, rows[2], equal_nan=True)
    assert np.nanargmax(seasonal[400:]) + 400 in range(500, 503) and np.nanmax(seasonal) > 4.0
    assert np.nanmax(rows[1][500:]) < 1.0  # the plain level shift: the phase swing fills its tail
    assert np.isnan(seasonal[: DAY + DAY // 2]).all()  # a season for the difference, half a day for the baseline
