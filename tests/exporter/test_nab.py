"""NAB scoring: the sigmoid, windows, probation, false positives and the early (proactive) share."""

from __future__ import annotations

import numpy as np
import pytest

from generator.exporter.nab import nab_outcomes, nab_score, scaled_sigmoid

WINDOWS = [(200, 239), (500, 539)]  # 1000 rows: probation is the first 150


def detections(*rows: int) -> np.ndarray:
    flags = np.zeros(1000, dtype=bool)
    flags[list(rows)] = True
    return flags


def test_scaled_sigmoid_matches_nab() -> None:
    np.testing.assert_allclose(
        scaled_sigmoid([-1.0, -0.5, 0.0, 1.0, 3.0]), [0.98661, 0.84828, 0.0, -0.98661, -1.0], atol=1e-5
    )


def test_nab_perfect_detector_at_window_start_scores_100() -> None:
    score = nab_score(detections(200, 500), WINDOWS)
    assert score.normalized == pytest.approx(100.0)
    assert (score.detected_windows, score.false_positives) == (2, 0)


def test_nab_null_detector_scores_0() -> None:
    score = nab_score(detections(), WINDOWS)
    assert (score.raw, score.null, score.perfect) == (-2.0, -2.0, 2.0)
    assert score.normalized == 0.0


def test_nab_false_positive_only_detector_scores_negative() -> None:
    score = nab_score(detections(160, 400, 900), WINDOWS)
    assert score.false_positives == 3
    assert score.normalized < 0
    assert score.raw == pytest.approx(-2.0 - 3 * 0.11, abs=0.01)  # far from windows: full FP weight


def test_nab_counts_only_the_best_detection_and_ignores_probation() -> None:
    early = nab_score(detections(200), WINDOWS).raw
    late = nab_score(detections(235), WINDOWS).raw
    both = nab_score(detections(50, 200, 210, 235), WINDOWS)
    assert early > late
    assert both.raw == pytest.approx(early) and both.false_positives == 0
    right_after = nab_score(detections(241), WINDOWS).raw
    assert -2.0 - 0.11 < right_after < -2.0  # a false positive just after a window costs little


def test_nab_rejects_overlapping_windows() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        nab_score(detections(), [(200, 300), (250, 350)])


def test_early_windows_count_first_detections_before_the_centre() -> None:
    # windows of 40 rows: rows 200..219 are before the centre of (200, 239), 239 is its last row
    assert nab_score(detections(205, 520), WINDOWS).early_windows == 1
    assert nab_score(detections(219, 535), WINDOWS).early_windows == 1
    assert nab_score(detections(220, 510, 539), WINDOWS).early_windows == 1  # 220 is past the centre
    assert nab_score(detections(160, 230, 400), WINDOWS).early_windows == 0


def test_outcomes_are_the_terms_of_the_score_window_by_window() -> None:
    flags = detections(50, 160, 230, 235, 400, 541)  # probation, FP, late TP (twice), FP, FP right after W1
    terms = nab_outcomes(flags, WINDOWS, {"tpWeight": 1.0, "fpWeight": 0.11, "fnWeight": 1.0})
    assert [(o.kind, o.row, o.window) for o in terms] == [
        ("fp", 160, -1), ("tp", 230, 0), ("fp", 400, 0), ("fn", 500, 1), ("fp", 541, 1)
    ]
    assert sum(o.value for o in terms) == pytest.approx(nab_score(flags, WINDOWS).raw, abs=1e-12)
    assert terms[0].value == pytest.approx(-0.11) and terms[3].value == -1.0
    assert 0 < terms[1].value < 1 and -0.11 < terms[4].value < 0
    weighted = nab_outcomes(flags, WINDOWS, {"tpWeight": 1.0, "fpWeight": 0.22, "fnWeight": 2.0})
    assert sum(o.value for o in weighted) == pytest.approx(
        nab_score(flags, WINDOWS, fp_weight=0.22, fn_weight=2.0).raw, abs=1e-12
    )
