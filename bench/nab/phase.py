"""A trial, not the detector: the forecast residual scored against the residuals seen at the same season phase.

Usage: ``python bench/nab/phase.py [--data DIR]`` (a few minutes). The groups' thresholds split on a few false
positives in seasonal series whose noise differs by hour of day (nyc_taxi, ambient_temperature; README, the
adaptive-threshold paragraph), while the shipped residual score measures every sample against one trailing
99th percentile of all phases. Here the residual ``r`` is divided by a causal phase factor before the shipped
residual score is computed from it exactly as anomaly.streaming_anomaly_scores does (``|r|`` and the last
hour's median residual, each over its own trailing 99th percentile, the same floor)::

    f(i) = clip(Q_q(|r_j|: j < i, same phase as i, last 28 days) / Q_q(|r_j|: j < i, any phase, last 28 days),
                0.5, 4)

``f`` is 1 (the shipped score) while either quantile is undefined (a phase needs ``max(6, 2 seasons x samples
per hour)`` earlier finite residuals, the global one the detector's warm-up) or the global quantile is 0. The
lower clip is the floor from the global scale: a quiet or thinly sampled phase at most doubles its residual.
The phase is read from the grid's own timestamps. The combined score, ``detect`` and the thresholds'
cross-validation from ``DETECTOR_GRID`` are the shipped ones (no new grid field).

Variants, fixed before any run on NAB (28 days: "the trailing weeks"; the clip as adaptive.py's order of
magnitude; the minimum counts; none read off NAB):

* **hour of day, median**: the phase is the hour of day (24 phases), ``q`` = 0.5.
* **hour of week if weekly**: the hour of week (168 phases) on files whose declared season
  (evaluation.pick_season) is weekly, the hour of day on the others; ``q`` = 0.5.
* **hour of day, p90**: the hour of day, ``q`` = 0.9 (the phase's tail rather than its middle).

The row "shipped (f = 1)" recomputes the residual score with ``f`` = 1 and must print the shipped figures.

The landing rule, fixed before the run: a variant ships (into generator/exporter) only if held out >= 68.85
(shipped 68.35 + 0.5), in-sample >= 70.54, leave one file out >= 68.69 (neither falls), the early (proactive)
share >= 36.73% and the causality test passes (a perturbed future leaves every earlier output bitwise
unchanged); of several, the highest held out. Otherwise a negative result, written into the README.

Result: negative, nothing ships (one run, 69 s wall, 43 s CPU). NAB standard held out (AWS, realKnownCause;
in-sample; leave one file out; early share): shipped and shipped (f = 1) 68.35 (66.20, 71.75; 70.54; 68.69;
36.73%); hour of day, median 68.69 (66.21, 72.62; 70.59; 68.75; 36.73%); hour of week if weekly the same (only
its per-file ceiling differs, 72.83 against 72.78: four realKnownCause files are weekly, no AWS one); hour of
day, p90 68.24 (66.21, 71.46; 70.01; 65.27; 36.73%). The best is +0.34 held out, under the +0.5 required. Read
after the run: the realKnownCause fold keeps residual 2 and loses three false positives (nyc_taxi 4 to 3,
rogue_agent_key_hold 3 to 1); the AWS fold, chosen on realKnownCause, gets residual 3 instead of 5, yet
ec2_cpu_utilization_fe7f93's first window, which the shipped score catches at 3 (gated 1.04), is divided by its
hour's factor 1.23 and stays missed (0.98): the phase factor damps the very window the lower threshold would win.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from generator.exporter import anomaly  # noqa: E402
from generator.exporter.anomaly import AnomalyScores, DetectorParams, combined_score  # noqa: E402
from generator.exporter.forecast import DAY_SECONDS, WEEK_SECONDS, FloatArray, as_series  # noqa: E402
from nab.corpus import Series  # noqa: E402
from nab.evaluation import DETECTOR_GRID, pick_season  # noqa: E402
from nab.likelihood import Combine, compare  # noqa: E402

PHASE_SECONDS = 3_600.0
LOOKBACK_SECONDS = 28 * DAY_SECONDS
MIN_PHASE_SAMPLES = 6
MIN_PHASE_SEASONS = 2
CLIP_LOW, CLIP_HIGH = 0.5, 4.0


def phase_factor(
    residual: FloatArray, start_seconds: float, step: float, period_seconds: float, q: float
) -> FloatArray:
    """``f`` per sample: the ``q`` quantile of the earlier |residual| at the same phase of ``period_seconds``
    (hour-long phases) over that of all phases, both over the last LOOKBACK_SECONDS, clipped; 1 where undefined."""
    size = np.abs(as_series(residual))
    n = size.size
    times = start_seconds + step * np.arange(n)
    phase = np.floor((times % period_seconds) / PHASE_SECONDS).astype(np.int64)
    per_phase = max(1, round(PHASE_SECONDS / step))  # samples of one phase in one season
    window = max(1, round(LOOKBACK_SECONDS / period_seconds)) * per_phase
    least = max(MIN_PHASE_SAMPLES, MIN_PHASE_SEASONS * per_phase)
    local = np.full(n, np.nan)
    for p in np.unique(phase):
        at = np.flatnonzero(phase == p)
        local[at] = anomaly.rolling_nanquantile(size[at], window, q, 1, least)
    tail, warmup = anomaly.calibration(step)
    overall = anomaly.rolling_nanquantile(size, round(LOOKBACK_SECONDS / step), q, max(1, tail // 144), warmup)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = local / overall
    return np.where(np.isfinite(ratio) & (overall > 0), np.clip(ratio, CLIP_LOW, CLIP_HIGH), 1.0)


def residual_score(values: FloatArray, residual: FloatArray, step: float) -> FloatArray:
    """The shipped residual score (anomaly.streaming_anomaly_scores with ``since`` 0) of a given residual."""
    return anomaly.calibrated_residual(residual, step, anomaly.score_floor(as_series(values), step))


def signals(series: Series, scores: AnomalyScores) -> FloatArray:
    """Rows: the residual score with f = 1, then with each variant's phase factor, for one file."""
    start, step, r = float(series.timestamps.min()), series.step, scores.residual
    weekly = WEEK_SECONDS if pick_season(series) == WEEK_SECONDS else DAY_SECONDS
    factors = [np.ones(r.size), phase_factor(r, start, step, DAY_SECONDS, 0.5),
               phase_factor(r, start, step, weekly, 0.5), phase_factor(r, start, step, DAY_SECONDS, 0.9)]
    return np.stack([residual_score(series.grid, r / f, step) for f in factors])


def phased(row: int) -> Combine:
    """The combined score with the residual score replaced by row ``row`` of :func:`signals`."""

    def combine(scores: AnomalyScores, extra: FloatArray, params: DetectorParams) -> FloatArray:
        return combined_score(AnomalyScores(**{**scores.__dict__, "residual_score": extra[row]}), params)

    return combine


VARIANTS: dict[str, tuple[Combine, tuple[DetectorParams, ...]]] = {
    "shipped": (lambda s, x, p: combined_score(s, p), DETECTOR_GRID),
    "shipped (f = 1)": (phased(0), DETECTOR_GRID),
    "hour of day, median": (phased(1), DETECTOR_GRID),
    "hour of week if weekly": (phased(2), DETECTOR_GRID),
    "hour of day, p90": (phased(3), DETECTOR_GRID),
}


def main(argv: list[str] | None = None) -> int:
    """Print each variant's figures side by side."""
    return compare(argv, __doc__ or "", signals, VARIANTS)


if __name__ == "__main__":
    raise SystemExit(main())
