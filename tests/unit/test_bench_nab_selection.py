"""bench/nab/selection.py: the grid's neighbours are one step in one parameter, the plateau rule prefers a broad
optimum to a sharp peak, and its ties fall to the bench's current choice."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nab.evaluation import DETECTOR_GRID, choose
from nab.selection import ScoreTable, current_rule, neighbours, plateau_rule, worst_decile_rule

from generator.exporter.nab import NabScore


def test_each_set_neighbours_the_sets_one_step_away_in_one_parameter_and_re_arm_moves_with_gap() -> None:
    near = neighbours(DETECTOR_GRID)
    assert all(i in near[j] for i, n in enumerate(near) for j in n)  # symmetric
    assert len(near[0]) == 6  # a corner: one step up in each of the six parameters
    assert max(len(n) for n in near) == 12
    first = DETECTOR_GRID[0]
    moved = [{f for f in first.__dataclass_fields__ if getattr(first, f) != getattr(DETECTOR_GRID[j], f)}
             for j in near[0]]
    assert sorted(map(sorted, moved)) == sorted([["residual_threshold"], ["range_threshold"], ["pattern_threshold"],
                                                 ["residual_gate"], ["min_gap_seconds", "rearm_seconds"],
                                                 ["shift_threshold"]])


def _table(scores: np.ndarray) -> ScoreTable:
    """Files x sets normalised scores as raw over a null of 0 and a perfect of 100."""
    return ScoreTable(scores.astype(float), np.zeros(scores.shape), np.full(scores.shape, 100.0))


def test_the_plateau_rule_takes_a_broad_optimum_over_a_sharp_peak_and_ties_to_the_current_choice() -> None:
    line = [[j for j in (i - 1, i + 1) if 0 <= j < 7] for i in range(7)]  # seven sets on a line
    sharp = _table(np.array([[90.0, 50.0, 81.0, 82.0, 76.0, 60.0, 60.0]]))
    assert current_rule(sharp, [0], line) == 0
    assert plateau_rule(sharp, [0], line) == 3  # (81 + 82 + 76) / 3 beats the edge's (90 + 50) / 2
    flat = _table(np.array([[70.0, 70.0, 71.0, 70.0, 70.0, 60.0, 60.0]]))
    assert plateau_rule(flat, [0], line) == 2  # 1, 2 and 3 tie at 70.33: the current choice, not the first
    tied = _table(np.array([[60.0, 75.0, 40.0, 70.0, 70.0, 70.0, 70.0]]))
    assert plateau_rule(tied, [0], line) == 4  # 4, 5 and 6 tie at 70, the current choice (1) not among them


def test_the_current_rule_is_the_bench_choose_and_the_worst_decile_reads_the_low_files() -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(0, 100, size=(12, 8))
    table = _table(scores)

    def score(i: int, p: object) -> NabScore:
        return NabScore(float(scores[i, DETECTOR_GRID.index(p)]), 0.0, 100.0, 1, 0, 0)

    train = [0, 2, 3, 5, 7, 11]
    assert current_rule(table, train, []) == DETECTOR_GRID.index(choose(train, score, DETECTOR_GRID[:8]))
    low = np.array([[50.0, 20.0]] * 7 + [[0.0, 20.0]] * 3)  # set 0 is better on most files, worse on the worst
    assert worst_decile_rule(_table(low), range(10), []) == 1
