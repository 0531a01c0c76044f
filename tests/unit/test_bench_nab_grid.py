"""bench/nab/evaluation.py's DETECTOR_GRID: what the cross-validation may choose, and in which order."""

from __future__ import annotations

import sys
from pathlib import Path

from generator.exporter.anomaly import DEFAULT_PARAMS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from nab.evaluation import DETECTOR_GRID, RECORD_SECONDS


def test_the_shipped_detector_is_chosen_first_and_the_alarm_budget_only_after_every_set_without_it() -> None:
    assert DEFAULT_PARAMS in DETECTOR_GRID
    budget = [i for i, p in enumerate(DETECTOR_GRID) if p.record_seconds]
    without = [i for i, p in enumerate(DETECTOR_GRID) if not p.record_seconds]
    assert len(without) == 405 and len(budget) == 135 and max(without) < min(budget)  # ties keep it off
    assert RECORD_SECONDS == 7 * 86_400.0
    assert {(p.record_seconds, p.rearm_seconds, p.min_gap_seconds) for p in DETECTOR_GRID if p.record_seconds} == {
        (RECORD_SECONDS, 6 * 3600.0, 24 * 3600.0)
    }
    assert len(set(DETECTOR_GRID)) == len(DETECTOR_GRID)
