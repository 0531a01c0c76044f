"""NAB scoring (Numenta Anomaly Benchmark) of detections against labelled windows, for offline evaluation.

Follows NAB's scorer: rows in the probation period are ignored; a window scores the best (earliest) of
its detections with the scaled sigmoid of its relative position, or minus the FN weight if missed; a
detection outside every window costs the FP weight scaled by its distance after the previous window;
a corpus normalises the summed raw, null and perfect scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from generator.exporter.forecast import FloatArray, as_series


@dataclass(frozen=True)
class NabScore:
    """NAB raw score of one file or corpus with its null (no detection) and perfect baselines."""

    raw: float
    null: float
    perfect: float
    windows: int
    detected_windows: int
    false_positives: int
    early_windows: int = 0

    @property
    def normalized(self) -> float:
        """100 * (raw - null) / (perfect - null); NaN when there is no window to score."""
        span = self.perfect - self.null
        return 100.0 * (self.raw - self.null) / span if span > 0 else math.nan

    def __add__(self, other: NabScore) -> NabScore:
        """Corpus totals: NAB normalises the summed raw, null and perfect scores."""
        return NabScore(
            self.raw + other.raw,
            self.null + other.null,
            self.perfect + other.perfect,
            self.windows + other.windows,
            self.detected_windows + other.detected_windows,
            self.false_positives + other.false_positives,
            self.early_windows + other.early_windows,
        )


def scaled_sigmoid(x: npt.ArrayLike) -> FloatArray:
    """NAB's 2*sigmoid(-5x) - 1, and -1 for x >= 3 (far past a window)."""
    pos = as_series(x)
    out: FloatArray = 2.0 / (1.0 + np.exp(5.0 * pos)) - 1.0
    out[pos >= 3.0] = -1.0
    return out


def nab_probation_rows(n_rows: int, probation_percent: float = 0.15) -> float:
    """Rows at the start of a file that NAB leaves unscored: min(floor(15% of rows), 15% of 5000)."""
    return min(math.floor(probation_percent * n_rows), probation_percent * 5000)


def nab_score(
    detections: npt.ArrayLike,
    windows: Sequence[tuple[int, int]],
    *,
    tp_weight: float = 1.0,
    fp_weight: float = 0.11,
    fn_weight: float = 1.0,
    probation_percent: float = 0.15,
) -> NabScore:
    """NAB score of boolean per-row ``detections`` for sorted, disjoint inclusive row ``windows``.

    A window scores ``tp_weight * S(x) / S(-1)`` for its earliest detection, ``x = -(end - i + 1) / width``,
    or ``-fn_weight`` if missed; a detection outside windows costs ``fp_weight * S(|i - prev_end| /
    (prev_width - 1))`` (``-fp_weight`` before the first window). ``S`` is :func:`scaled_sigmoid`;
    perfect counts every window at ``tp_weight``, null is the score of no detections.
    ``early_windows`` counts the windows first detected in their first half, before the labelled
    anomaly at the window's centre.
    """
    flags = np.asarray(detections, dtype=np.bool_).ravel()
    n = flags.size
    max_tp = float(scaled_sigmoid([-1.0])[0])
    rows = np.arange(n)
    position = np.full(n, 3.0)
    in_window = np.full(n, -1)
    prev_end, prev_width = -1, 0.0
    for w, (start, end) in enumerate(windows):
        if not 0 <= start <= end < n or start <= prev_end:
            raise ValueError(f"window {w} ({start}, {end}) is out of range or overlaps the previous one")
        width = float(end - start + 1)
        if prev_end >= 0:
            gap = slice(prev_end + 1, start)
            position[gap] = np.abs(prev_end - rows[gap]) / max(prev_width - 1.0, 1.0)
        position[start : end + 1] = -(end - rows[start : end + 1] + 1) / width
        in_window[start : end + 1] = w
        prev_end, prev_width = end, width
    if prev_end >= 0:
        tail = slice(prev_end + 1, n)
        position[tail] = np.abs(prev_end - rows[tail]) / max(prev_width - 1.0, 1.0)
    sweep = scaled_sigmoid(position)
    scored = rows >= nab_probation_rows(n, probation_percent)
    fp_rows = flags & scored & (in_window < 0)
    raw = float(np.sum(sweep[fp_rows] * fp_weight))
    counted = detected = early = 0
    for w, (start, end) in enumerate(windows):
        members = scored & (in_window == w)
        if not members.any():
            continue  # a window entirely inside the probation period is not scored (as in NAB)
        counted += 1
        hit = np.flatnonzero(members & flags)
        if hit.size:
            detected += 1
            early += int(hit[0] - start < (end - start) / 2)  # strictly before the centre row
            raw += max(-fn_weight, float(np.max(sweep[hit])) * tp_weight / max_tp)
        else:
            raw -= fn_weight
    return NabScore(
        raw, -fn_weight * counted, tp_weight * len(windows), len(windows), detected, int(fp_rows.sum()), early
    )
