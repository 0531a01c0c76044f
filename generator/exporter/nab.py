"""NAB scoring (Numenta Anomaly Benchmark) of detections against labelled windows, for offline evaluation.

Follows NAB's scorer: rows in the probation period are ignored; a window scores the best (earliest) of
its detections with the scaled sigmoid of its relative position, or minus the FN weight if missed; a
detection outside every window costs the FP weight scaled by its distance after the previous window;
a corpus normalises the summed raw, null and perfect scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
    cost = {"tpWeight": tp_weight, "fpWeight": fp_weight, "fnWeight": fn_weight}
    terms = nab_outcomes(detections, windows, cost, probation_percent)
    false_positives = [t.value for t in terms if t.kind == "fp"]
    raw = float(np.sum(false_positives))
    counted = detected = early = 0
    for term in sorted((t for t in terms if t.kind != "fp"), key=lambda t: t.window):
        counted += 1
        raw += term.value
        if term.kind == "tp":
            start, end = windows[term.window]
            detected += 1
            early += int(term.row - start < (end - start) / 2)  # strictly before the centre row
    return NabScore(
        raw, -fn_weight * counted, tp_weight * len(windows), len(windows), detected, len(false_positives), early
    )


@dataclass(frozen=True)
class Outcome:
    """One term of a NAB raw score: a window's first detection (tp), a missed window (fn) or a false positive."""

    kind: str
    """One of "tp", "fn" or "fp"."""
    row: int
    """The detection's row; a missed window's first scored row."""
    window: int
    """The window's index; for a false positive the window before it (-1 if none)."""
    value: float
    """Its term of the raw score (a false positive's is negative)."""


def nab_outcomes(
    detections: npt.ArrayLike,
    windows: Sequence[tuple[int, int]],
    cost: Mapping[str, float],
    probation_percent: float = 0.15,
) -> list[Outcome]:
    """The terms of :func:`nab_score`, one per scored window and false positive, in row order.

    ``cost`` is a profile's ``CostMatrix`` as in NAB's profiles.json (``tpWeight``, ``fpWeight``,
    ``fnWeight``). A window entirely inside the probation period has no term (NAB does not score it).
    """
    tp_weight, fp_weight, fn_weight = cost["tpWeight"], cost["fpWeight"], cost["fnWeight"]
    flags = np.asarray(detections, dtype=np.bool_).ravel()
    sweep, in_window, scored = _sweep(flags.size, windows, probation_percent)
    max_tp = float(scaled_sigmoid([-1.0])[0])
    found: list[Outcome] = []
    for row in np.flatnonzero(flags & scored & (in_window < 0)):
        before = [w for w, (_, end) in enumerate(windows) if end < row]
        found.append(Outcome("fp", int(row), before[-1] if before else -1, float(sweep[row]) * fp_weight))
    for w in range(len(windows)):
        members = scored & (in_window == w)
        if not members.any():
            continue
        hit = np.flatnonzero(members & flags)
        if hit.size:  # the earliest detection has the best (largest) term
            found.append(Outcome("tp", int(hit[0]), w, max(-fn_weight, float(sweep[hit[0]]) * tp_weight / max_tp)))
        else:
            found.append(Outcome("fn", int(np.flatnonzero(members)[0]), w, -fn_weight))
    return sorted(found, key=lambda o: o.row)


def _sweep(
    n: int, windows: Sequence[tuple[int, int]], probation_percent: float
) -> tuple[FloatArray, npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per row: NAB's scaled sigmoid of its position, its window (-1 outside) and whether it is scored."""
    rows = np.arange(n)
    position = np.full(n, 3.0)
    in_window = np.full(n, -1, dtype=np.int64)
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
    return scaled_sigmoid(position), in_window, rows >= nab_probation_rows(n, probation_percent)
