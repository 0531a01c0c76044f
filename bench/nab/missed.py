"""A trial, not the detector: two signals aimed at the windows the detector misses or catches late (issue 19).

Usage: ``python bench/nab/missed.py [--data DIR]`` (a few minutes). The diagnosis that led here (``bench/
forecast_nab.py --windows``, each missed and late window looked at): 10 of 49 windows are missed and cost 20.4
of the 31.6 normalised points lost against a perfect detector. Five show next to nothing in any signal (an
expected burst that does not come, a lone spike inside noise, a file of 1.4 days whose only spike precedes its
windows): every signal stays at or below 0.12 of its edge there, or peaks before the window. Three are spikes
or a new oscillation that look like what the series did before (pattern 0.22-0.56 of its edge; the residual
is over its threshold but gated). The remaining two are what this trial is aimed at, with the late ones:

* a stretch never seen before that the 2-hour pattern sees too late or only at 0.96 of its edge, because the
  shape needs most of its 8 blocks of 15 minutes to differ (a level shift, a burst: ec2_cpu_utilization_53ea38
  caught at 56-62% of its windows, fe7f93's first window missed at 0.966);
* the series stopping: rogue_agent_key_hold's first window is a gap in the data, which no signal reads
  (a gap is NaN everywhere, so the score is quiet exactly while the source is silent).

Variants, fixed before any run on NAB; every constant is a unit of the detector's own layout, none read off NAB:

* **pattern, 1 hour too**: the pattern novelty also over the last 4 blocks (half the shipped view), calibrated
  exactly as the shipped 8-block one (its own trailing 99th percentile of the last 3 days, the same floor);
  the pattern score is the larger of the two. A shape that is new in its last hour is new already; over 2
  hours it counts only once it fills most of the view. Both enter the gate as the shipped pattern does.
* **longest gap**: at the first sample after a gap (NaN slots), the gap's length over the longest gap
  before it (at least ``GAP_FLOOR_SECONDS``, 1 hour: the detector's level-shift window), once ``warmup``
  finite samples are seen; 0 at every other sample. Over 1 it is a silence longer than any earlier one,
  which is what an ``absent()`` alert watches for. It enters the score ungated, divided by ``gap_factor``,
  chosen by the cross-validation from (inf: off, 1, 2) with every field of ``DETECTOR_GRID``.
* **both**: the two together.

The landing rule, fixed before the run: a variant ships (into generator/exporter, its constants as the
procedure chooses them on all files) only if held out >= 68.85 (shipped 68.35 + 0.5), leave one file out >=
68.7, in-sample >= 70.0, MASE and coverage unchanged (the forecast does not change), the causality test
passes (a perturbed future leaves every earlier output bitwise unchanged) and the exporter's tests pass; of
several, the highest held out. Otherwise a negative result, written into the README.

Result: negative, nothing ships. NAB standard held out (AWS, realKnownCause; in-sample; leave one file out):
shipped 68.35 (66.20, 71.75; 70.54; 68.69); pattern, 1 hour too 60.20 (62.39, 56.75; 67.55; 59.62); longest
gap 68.35 (66.20, 71.75; 70.54; 68.54); both as pattern, 1 hour too; early share 36.7% in every row. The
4-block pattern reaches 1.4 on none of the 10 missed windows (0.99 on fe7f93's first, where the 8-block one
reaches 1.35) and no sooner on 53ea38's, while the larger of the two passes 1.4 on more samples than the
8-block alone in 20 of 24 files: only false positives. The gap signal passes 1 six times in the corpus
(ambient_temperature 4, rogue_agent_key_hold 2), once in a window already caught; rogue_agent_key_hold's first
window, read after the run, is no gap but 113 samples stuck at 0 (the plot's flat line), its gaps 4-6 samples
against earlier silences of up to 546: the diagnosis above misread it.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from generator.exporter import anomaly  # noqa: E402
from generator.exporter.anomaly import AnomalyScores, DetectorParams, combined_score  # noqa: E402
from generator.exporter.forecast import FloatArray, as_series  # noqa: E402
from nab.evaluation import DETECTOR_GRID  # noqa: E402
from nab.likelihood import Combine, compare  # noqa: E402

SHORT_BLOCKS = 4
GAP_FLOOR_SECONDS = 3_600.0
GAP_FACTORS = (math.inf, 1.0, 2.0)


@dataclasses.dataclass(frozen=True)
class GapParams(DetectorParams):
    """A DetectorParams whose score also holds the longest-gap signal over ``gap_factor`` (inf: off)."""

    gap_factor: float = math.inf


GAP_GRID = tuple(GapParams(**dataclasses.asdict(p), gap_factor=f) for p in DETECTOR_GRID for f in GAP_FACTORS)


def short_pattern_score(values: FloatArray, step: float) -> FloatArray:
    """The pattern score over the last ``SHORT_BLOCKS`` blocks, calibrated as anomaly's 8-block one."""
    x = as_series(values)
    tail, warmup = anomaly.calibration(step)
    every = max(1, tail // 144)
    floor = anomaly.score_floor(x, step)
    distance = anomaly.pattern_distance(x, step, SHORT_BLOCKS)
    return anomaly._calibrated(distance, tail, every, warmup, 0, 0, floor)


def gap_signal(values: FloatArray, step: float) -> FloatArray:
    """At the first finite sample after a gap: its length over the longest earlier gap (at least the floor)."""
    x = as_series(values)
    _, warmup = anomaly.calibration(step)
    floor = max(1, round(GAP_FLOOR_SECONDS / step))
    out = np.zeros(x.size)
    finite = np.flatnonzero(np.isfinite(x))
    longest = 0
    for k in range(1, finite.size):
        gap = int(finite[k] - finite[k - 1] - 1)
        if gap > 0:
            if k >= warmup:
                out[finite[k]] = gap / max(longest, floor)
            longest = max(longest, gap)
    return out


def signals(values: FloatArray, step: float) -> FloatArray:
    """Rows: the short pattern score and the gap signal of one series."""
    return np.stack([short_pattern_score(values, step), gap_signal(values, step)])


def _with_short_pattern(scores: AnomalyScores, extra: FloatArray) -> AnomalyScores:
    return dataclasses.replace(scores, pattern_score=np.fmax(scores.pattern_score, extra[0]))


def _with_gap(score: FloatArray, extra: FloatArray, params: DetectorParams) -> FloatArray:
    factor = params.gap_factor if isinstance(params, GapParams) else math.inf
    return score if math.isinf(factor) else np.fmax(score, extra[1] / factor)


VARIANTS: dict[str, tuple[Combine, tuple[DetectorParams, ...]]] = {
    "shipped": (lambda s, x, p: combined_score(s, p), DETECTOR_GRID),
    "pattern, 1 hour too": (lambda s, x, p: combined_score(_with_short_pattern(s, x), p), DETECTOR_GRID),
    "longest gap": (lambda s, x, p: _with_gap(combined_score(s, p), x, p), GAP_GRID),
    "both": (lambda s, x, p: _with_gap(combined_score(_with_short_pattern(s, x), p), x, p), GAP_GRID),
}


def main(argv: list[str] | None = None) -> int:
    """Print each variant's figures side by side."""
    return compare(argv, __doc__ or "", lambda s, sc: signals(s.grid, s.step), VARIANTS)


if __name__ == "__main__":
    raise SystemExit(main())
