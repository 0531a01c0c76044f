"""A trial, not the detector: the shipped score OR-ed with a level shift that has a threshold of its own.

Usage: ``python bench/nab/levelshift.py [--data DIR]`` (a few minutes). A pre-registered follow-up of
bench/nab/ensemble.py (report-nab56.md): its level shift was the only second score with something in it
(in-sample 72.57, leave one file out 70.31, AWS chosen on realKnownCause 68.12) but it fell to 59.82 held out
because it shared the grid's ``residual_threshold``: the AWS fold chose residual 2, which also made the level
shift alarm at twice its own 99th percentile, and realKnownCause fell to 46.71. Here the second score is
divided by a threshold of its own, ``shift_threshold`` (a field of DetectorParams since it shipped)::

    max(shipped combined score, level shift / shift_threshold)

Everything else is imported: the level shift (ensemble.py's, now anomaly.level_shift_score:
``|median(x, last S) - median(x, the day before those S)|`` over that day's robust sigma, floored at
``RELATIVE_FLOOR`` of the trailing median |value|, over its own trailing 3-day 99th percentile, NaN while that
day is less than half finite), ``S`` = one hour, OR-ed (as ensemble.ored), ungated by pattern novelty. The
other thresholds are cross-validated from
``DETECTOR_GRID`` exactly as bench/forecast_nab.py does.

Variants, fixed before any run on NAB (CAD OSE is not among them, report-cadose.md):

* **level shift, own threshold**: ``shift_threshold`` cross-validated jointly with ``DETECTOR_GRID`` over
  SHIFT_THRESHOLDS = {3, 5, 8} (the grid's residual thresholds without the 2 that sank nab56's AWS fold, and
  one above); 1215 parameter sets.
* **level shift, threshold 5**: ``shift_threshold`` fixed a priori at FIXED_SHIFT_THRESHOLD = 5, the other
  thresholds from ``DETECTOR_GRID``. Why 5: nab56's in-sample choice (residual 5, gate 1.0, re-arm 1 h / gap
  6 h) divided the level shift by 5, and with it the level shift gained on both groups (AWS 69.22 to 72.32,
  realKnownCause 72.62 to 72.97); only the AWS fold's residual 2 broke it. Fixed from nab56's figures, not
  read off this run.
* **season-differenced level shift, own threshold**: the same level shift of ``d[i] = x[i] - x[i - season]``
  (the season of evaluation.pick_season; on files without one, ``d`` is ``x``, the plain level shift), its
  sigma floored at ``RELATIVE_FLOOR`` of the trailing median |x| (the series' level, as the shipped residual's
  floor) -- nab56 saw the plain one blind on strongly seasonal series, whose phase swing fills the day's
  spread and the 99th percentile. A step in ``x`` is a step in ``d`` lasting one season. ``shift_threshold``
  cross-validated over SHIFT_THRESHOLDS jointly with ``DETECTOR_GRID``.

The row "shipped (second NaN)" runs the combination with a NaN second score on the joint grid and must print
the shipped figures (the joint grid lists each DETECTOR_GRID set with every shift threshold, in DETECTOR_GRID's
order, so ties fall as they do there).

The landing rule, fixed before the run (nab56's): a variant ships (into generator/exporter, streaming and
causal) only if held out >= 68.85 (shipped 68.35 + 0.5) AND in-sample >= 70.54 AND leave one file out >= 68.69
AND the early (proactive) share >= 36.73% AND the causality test passes (a perturbed future leaves every
earlier output bitwise unchanged); of several, the highest held out. Otherwise a negative result, written into
the README, and nothing in generator/ changes.

Result: the level shift with its own threshold lands (one run, 5:46 wall at load 12-17 under nice, 48 s CPU,
245 MB). NAB standard held out (AWS, realKnownCause; in-sample; leave one file out; early share): shipped and
shipped (second NaN) 68.35 (66.20, 71.75; 70.54; 68.69; 36.73%); + level shift, own threshold 69.80 (68.16,
72.39; 72.57; 70.31; 44.90%), every bar passed; + level shift, threshold 5 69.77 (68.12, 72.39; 72.57; 70.31;
38.78%), every bar passed too; + season-differenced level shift 65.47 (62.02, 70.93; 71.63; 71.41; 36.73%), fails
held out. Of the two passing, the own threshold has the higher held out. Read after the run (a /tmp script
printing each fold's chosen set): the in-sample set is nab56's (residual 5, gate 1.0, re-arm 1 h / gap 6 h) with
shift threshold 5 (AWS 72.32, 24 of 30 windows, 15 false positives; realKnownCause 72.97, 17 of 19, 36). Chosen
on AWS, realKnownCause keeps residual 2 and takes shift 5 (72.39: 17 of 19 windows and 38 false positives, the
shipped counts, at a higher raw score); chosen on realKnownCause, AWS takes residual 5, gate 0.5, re-arm 6 h /
gap 24 h and shift 3 (68.16: 23 of 30 windows against 22, 21 false positives against 13, 9 windows caught early
against 5). The threshold of its own is what carried: at residual 2 the level shift no longer alarms at twice
its tail.

Shipped (nab58): the level shift is anomaly.level_shift_score, streamed by the sidecar; ``shift_threshold`` is a
DetectorParams field, combined_score ORs ``level shift / shift_threshold``, and DETECTOR_GRID is this trial's
joint grid (evaluation.with_shift). The variants here still OR with the combined score *before* the level
shift (:func:`before_shift`), so this trial reproduces its figures; the row "before the level shift" is the
old shipped detector and "shipped" is the new one (it equals "+ level shift, own threshold").
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from generator.exporter.anomaly import AnomalyScores, DetectorParams, combined_score, lagged, level_shift_score  # noqa: E402
from generator.exporter.forecast import FloatArray, as_series  # noqa: E402
from nab.corpus import Series  # noqa: E402
from nab.evaluation import BASE_GRID, DETECTOR_GRID, pick_season, with_shift  # noqa: E402
from nab.likelihood import Combine, compare  # noqa: E402

FIXED_SHIFT_THRESHOLD = 5.0
JOINT_GRID = DETECTOR_GRID
FIXED_GRID = with_shift(BASE_GRID, (FIXED_SHIFT_THRESHOLD,))


def before_shift(scores: AnomalyScores, params: DetectorParams) -> FloatArray:
    """The combined score as shipped before this trial landed: without the level shift term."""
    return combined_score(dataclasses.replace(scores, shift_score=np.full(scores.score.size, np.nan)), params)


def season_differenced_shift_score(values: FloatArray, step: float, season: float | None) -> FloatArray:
    """The level shift of ``x[i] - x[i - season]`` (of ``x`` without a season), floored by the level of ``x``."""
    x = as_series(values)
    if season is None:
        return level_shift_score(x, step)
    return level_shift_score(x - lagged(x, max(1, round(season / step))), step, reference=x)


def signals(series: Series, scores: AnomalyScores) -> FloatArray:
    """Rows: NaN (the control), the level shift, the season-differenced level shift, for one file."""
    x, step = series.grid, series.step
    return np.stack([np.full(x.size, np.nan), level_shift_score(x, step),
                     season_differenced_shift_score(x, step, pick_season(series))])


def own(row: int, scores: AnomalyScores, extra: FloatArray, params: DetectorParams) -> FloatArray:
    """The combined score before the level shift (:func:`before_shift`) OR-ed with row ``row`` of
    :func:`signals` over the shift threshold."""
    out: FloatArray = np.fmax(before_shift(scores, params), extra[row] / params.shift_threshold)
    return out


VARIANTS: dict[str, tuple[Combine, tuple[DetectorParams, ...]]] = {
    "shipped": (lambda s, x, p: combined_score(s, p), DETECTOR_GRID),
    "before the level shift": (lambda s, x, p: before_shift(s, p), FIXED_GRID),
    "shipped (second NaN)": (functools.partial(own, 0), JOINT_GRID),
    "+ level shift, own threshold": (functools.partial(own, 1), JOINT_GRID),
    "+ level shift, threshold 5": (functools.partial(own, 1), FIXED_GRID),
    "+ seasonal-diff level shift": (functools.partial(own, 2), JOINT_GRID),
}


def main(argv: list[str] | None = None) -> int:
    """Print each variant's figures side by side."""
    return compare(argv, __doc__ or "", signals, VARIANTS)


if __name__ == "__main__":
    raise SystemExit(main())
