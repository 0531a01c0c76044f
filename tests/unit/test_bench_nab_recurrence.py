"""bench/nab/recurrence.py: the recurrence guard is causal bit for bit, quiets an excursion seen at the same time
on the last days, and leaves a new one and the shipped detector (K = 0) alone."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nab.evaluation import DETECTOR_GRID
from nab.recurrence import GUARD_DAYS, GUARD_GRID, GuardParams, combine, guarded, routine

from generator.exporter.anomaly import DEFAULT_PARAMS, combined_score, streaming_anomaly_scores
from tests.unit.test_bench_nab_ensemble import _daily, assert_causal

STEP, DAY = 1800.0, 48


def test_perturbing_the_future_leaves_every_earlier_guarded_score_bitwise_unchanged() -> None:
    values = _daily(1000)
    values[[300, 301, 700]] = np.nan
    step = np.full(1, STEP)

    def rows(v: np.ndarray) -> np.ndarray:
        scores = streaming_anomaly_scores(v, STEP, 86_400.0)
        return np.stack([combine(scores, step, GuardParams(**dataclasses.asdict(DEFAULT_PARAMS), guard_days=k))
                         for k in GUARD_DAYS])

    assert_causal(rows, values, slice(None))


def test_an_excursion_at_the_same_time_on_the_last_days_is_divided_by_them_and_a_new_one_is_not() -> None:
    score = np.full(10 * DAY, 0.2)
    nightly = [d * DAY + 6 + d % 3 for d in range(2, 10)]  # 03:00 give or take an hour, every night from day 2
    score[nightly] = 1.5
    score[nightly[3]] = 3.0  # night 5 larger than the nights before it
    score[9 * DAY + 30] = 1.4  # 15:00 on day 9, never seen at that time
    once = guarded(score, STEP, 1)
    assert once[nightly].tolist() == [1.5, 1.0, 1.0, 2.0, 0.5, 1.0, 1.0, 1.0]  # new, then over the night before
    assert once[9 * DAY + 30] == 1.4 and once[0] == 0.2 and once[5 * DAY + 30] == 0.2
    thrice = guarded(score, STEP, 3)
    assert thrice[nightly].tolist() == [1.5, 1.5, 1.5, 2.0, 1.0, 1.0, 1.0, 1.0]  # routine from 3 nights on
    assert np.array_equal(guarded(score, STEP, 0), score)
    assert (routine(score, STEP, 1)[:DAY] == 0.0).all()  # no day before: no excursion


def test_the_joint_grid_lists_every_detector_set_with_each_guard_innermost_and_zero_is_shipped() -> None:
    assert len(GUARD_GRID) == 3 * len(DETECTOR_GRID) and GUARD_DAYS == (0, 1, 3)
    assert [g.guard_days for g in GUARD_GRID[:6]] == [0, 1, 3, 0, 1, 3]
    assert all(dataclasses.asdict(g)["shift_threshold"] == p.shift_threshold
               for g, p in zip(GUARD_GRID[::3], DETECTOR_GRID, strict=True))
    values = _daily(700)
    scores = streaming_anomaly_scores(values, STEP, 86_400.0)
    shipped = combined_score(scores, DEFAULT_PARAMS)
    assert np.array_equal(combine(scores, np.full(1, STEP), GUARD_GRID[0]), combine(scores, np.full(1, STEP),
                          DETECTOR_GRID[0]), equal_nan=True)
    assert np.array_equal(combine(scores, np.full(1, STEP), DEFAULT_PARAMS), shipped, equal_nan=True)
