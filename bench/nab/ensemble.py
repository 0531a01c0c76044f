"""A trial, not the detector: the shipped score OR-ed with one cheap, causal score of a different kind.

Usage: ``python bench/nab/ensemble.py [--data DIR]`` (a few minutes). NAB's best entries differ in which windows
they catch; a second score that looks at the series another way than the forecast residual gated by pattern
novelty may catch windows the shipped score misses. Each variant's combined score is::

    max(shipped combined score, second / residual_threshold)

where ``second`` is a causal per-sample score divided by its own trailing 3-day 99th percentile (anomaly's
calibration: ``tail`` = 3 days and at least 864 samples, refreshed every tail/144 samples, NaN before the
warm-up), so 1 is the edge of its recent tail as for the shipped signals. It is not gated by pattern novelty
and takes the grid's ``residual_threshold`` (2, 3 or 5) as its threshold: no new grid field, and the thresholds
are cross-validated from ``DETECTOR_GRID`` exactly as bench/forecast_nab.py does. ``S`` is one hour
(anomaly.SHIFT_SECONDS) and at least 3 samples; a "trailing" window ends at and includes the current sample.

Variants, fixed before any run on NAB (windows are the detector's own: the hour of its shift term, the day,
its 2-day MAD scale; none read off NAB; CAD OSE is not among them, report-cadose.md):

* **seasonal-naive residual**: a second forecaster, ``x[i] - x[i - season]`` (the season of
  evaluation.pick_season, one step without one), scored exactly as the shipped residual
  (anomaly.calibrated_residual: |r| and its last hour's median, each over its trailing 99th percentile,
  floored at ``RELATIVE_FLOOR`` of the trailing median |value|).
* **level shift**: ``|median(x, last S) - median(x, the day before those S)|`` over the robust sigma
  (anomaly.rolling_mad_scale) of that same day, floored at ``RELATIVE_FLOOR`` of the trailing median |value|;
  then over its own trailing 99th percentile. NaN while that day is less than half finite.
* **variance change**: the robust sigma of the shipped residual over the last S samples over its robust sigma
  over the 2 days (anomaly.SCALE_SECONDS) before those S (NaN while they are less than half finite); then over
  its own trailing 99th percentile.

The row "shipped (second NaN)" runs the same combination with a NaN second score and must print the
shipped figures.

The landing rule, fixed before the run (nab52's): a variant ships (into generator/exporter, streaming and
causal) only if held out >= 68.85 (shipped 68.35 + 0.5) AND in-sample >= 70.54 AND leave one file out >= 68.69
AND the early (proactive) share >= 36.73% AND the causality test passes (a perturbed future leaves every
earlier output bitwise unchanged); of several, the highest held out. Otherwise a negative result, written into
the README, and nothing in generator/ changes.

Result: negative, nothing ships (one run, 4:50 wall at load 8-11 under nice, 31 s CPU). NAB standard held out
(AWS, realKnownCause; in-sample; leave one file out; early share): shipped and shipped (second NaN) 68.35
(66.20, 71.75; 70.54; 68.69; 36.73%); + seasonal-naive residual 60.52 (63.33, 56.08; 68.68; 64.71; 36.73%);
+ level shift 59.82 (68.12, 46.71; 72.57; 70.31; 28.57%); + variance change 62.32 (60.03, 65.95; 68.62; 64.58;
34.69%). Every variant loses 6-9 held out. Read after the run (a /tmp script printing each fold's chosen set):
the level shift is the only one with something in it. In-sample (residual 5, gate 1.0, re-arm 1 h / gap 6 h)
it gains on both groups (AWS 69.22 to 72.32, 24 of 30 windows; realKnownCause 72.62 to 72.97), and chosen on
realKnownCause it lifts AWS to 68.12. But chosen on AWS the set has residual 2, which makes the level shift
alarm at twice its own 99th percentile, and with the 1 h / 6 h re-arm realKnownCause falls to 46.71 (12 of 19
windows, where the shipped catches 17). One threshold shared by the residual and the second score does not
carry across the groups. Held out, the seasonal-naive residual and the variance change catch no more windows
than the shipped (AWS 22 and 20 of 30 against 22; realKnownCause 15 and 16 of 19 against 17), and the
seasonal-naive one doubles the false positives in AWS (13 to 26) and adds 19 in realKnownCause (38 to 57).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from generator.exporter import anomaly  # noqa: E402
from generator.exporter.anomaly import (  # noqa: E402
    AnomalyScores,
    DetectorParams,
    combined_score,
    half_filled,
    lagged,
    level_shift_score,
    tail_calibrated,
    through_current,
)
from generator.exporter.forecast import FloatArray, as_series  # noqa: E402
from nab.corpus import Series  # noqa: E402
from nab.evaluation import DETECTOR_GRID, pick_season  # noqa: E402
from nab.likelihood import Combine, compare  # noqa: E402

MIN_SHORT = anomaly.MIN_SHIFT_SAMPLES


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = num / den
    out[(den == 0) & (num == 0)] = 0.0
    return out


def short_window(step: float) -> int:
    """S in samples: one hour (anomaly.SHIFT_SECONDS), at least MIN_SHORT."""
    return max(MIN_SHORT, round(anomaly.SHIFT_SECONDS / step))


def seasonal_naive_score(values: FloatArray, step: float, season: float | None) -> FloatArray:
    """The shipped residual score of the seasonal-naive forecaster's residual ``x[i] - x[i - season]``."""
    x = as_series(values)
    lag = 1 if season is None else max(1, round(season / step))
    return anomaly.calibrated_residual(x - lagged(x, lag), step, anomaly.score_floor(x, step))


def variance_change_score(residual: FloatArray, step: float) -> FloatArray:
    """Robust sigma of the residual over the last S samples over that of the 2 days before them, calibrated."""
    r = as_series(residual)
    short, long = short_window(step), max(MIN_SHORT, round(anomaly.SCALE_SECONDS / step))
    recent = anomaly.rolling_mad_scale(through_current(r), short)
    before = lagged(anomaly.rolling_mad_scale(r, long), short - 1)
    ratio = np.where(lagged(half_filled(r, long), short - 1) == 1.0, _ratio(recent, before), np.nan)
    return tail_calibrated(ratio, step)


def signals(series: Series, scores: AnomalyScores) -> FloatArray:
    """Rows: NaN (the control), then each variant's second score, for one file."""
    x, step = series.grid, series.step
    return np.stack([np.full(x.size, np.nan), seasonal_naive_score(x, step, pick_season(series)),
                     level_shift_score(x, step), variance_change_score(scores.residual, step)])


def ored(
    row: int, scores: AnomalyScores, extra: FloatArray, params: DetectorParams, threshold: float | None = None
) -> FloatArray:
    """The shipped combined score OR-ed with row ``row`` of ``extra`` (:func:`signals`' rows here) over
    ``threshold``, by default the residual threshold."""
    second = params.residual_threshold if threshold is None else threshold
    out: FloatArray = np.fmax(combined_score(scores, params), extra[row] / second)
    return out


SECOND_SCORES = ("shipped (second NaN)", "+ seasonal-naive residual", "+ level shift", "+ variance change")
"""The variants' names, in the order of :func:`signals`' rows."""
VARIANTS: dict[str, tuple[Combine, tuple[DetectorParams, ...]]] = {
    "shipped": (lambda s, x, p: combined_score(s, p), DETECTOR_GRID),
    **{name: (functools.partial(ored, row), DETECTOR_GRID) for row, name in enumerate(SECOND_SCORES)},
}


def main(argv: list[str] | None = None) -> int:
    """Print each variant's figures side by side."""
    return compare(argv, __doc__ or "", signals, VARIANTS)


if __name__ == "__main__":
    raise SystemExit(main())
