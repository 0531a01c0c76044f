"""A trial, not the detector: HTM's anomaly likelihood on the exporter's residuals, scored like the shipped signals.

Usage: ``python bench/nab/likelihood.py [--data DIR]`` (~2 min). Issue 19's held-out NAB figure loses to the
cross-group choice of thresholds; the anomaly likelihood of Ahmad et al. (2017, "Unsupervised real-time
anomaly detection for streaming data", Neurocomputing 262) is meant to make one threshold portable across
series: the mean of the last ``SHORT`` prediction errors against a normal fitted to such means over the last
``LONG`` samples, refitted every ``REFIT`` samples, alarming when the likelihood reaches 1 - 1e-5 (z >= Z_ALARM).
Every constant is NuPIC's default (averagingWindow 10, historicWindowSize 8640, reestimationPeriod 100, the
paper's 0.99999); the error is ``|actual - one-step forecast|`` and the fit's deviation is floored at
``RELATIVE_FLOOR`` of the trailing median |value| as the detector's scales are. Nothing here was tuned.

Each variant puts the likelihood (in units of Z_ALARM, 1 = alarm) into the combined score one way; the
thresholds of the rest are cross-validated from ``DETECTOR_GRID`` exactly as bench/forecast_nab.py does. Printed
side by side, in one run: in-sample, held out (cross-group) per group and overall, leave one file out, and the
per-file ceiling. bench/forecast_nab.py's rule for landing a signal: held out up and leave one file out not down.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from forecast_nab import Detections, best_per_file, cross_validated  # noqa: E402

from generator.exporter import anomaly  # noqa: E402
from generator.exporter.anomaly import AnomalyScores, DetectorParams, combined_score, detect  # noqa: E402
from generator.exporter.forecast import FloatArray  # noqa: E402
from nab.corpus import DEFAULT_DATA, Corpus, Series, load_corpus  # noqa: E402
from nab.evaluation import DETECTOR_GRID, choose, file_folds, folds, total  # noqa: E402

SHORT = 10
LONG = 8640
REFIT = 100
Z_ALARM = 4.264890793922825
"""The standard normal's 1 - 1e-5 quantile: a likelihood of 0.99999."""


def anomaly_likelihood(errors: FloatArray, floor: FloatArray, warmup: int) -> FloatArray:
    """Causal z of the mean of the last ``SHORT`` errors (the current one included) against the mean and
    deviation of such means over the ``LONG`` samples before the last refit, in units of ``Z_ALARM``.

    ``floor`` bounds the deviation from below (NaN: no bound); NaN while fewer than ``warmup`` means are finite.
    """
    n = errors.size
    padded = np.concatenate([np.full(SHORT - 1, np.nan), errors])
    views = np.lib.stride_tricks.sliding_window_view(padded, SHORT)
    count = np.isfinite(views).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(count > 0, np.nansum(views, axis=1) / np.maximum(count, 1), np.nan)
    centre, spread = np.full(n, np.nan), np.full(n, np.nan)
    for refit in range(0, n, REFIT):
        past = means[max(0, refit - LONG) : refit]
        past = past[np.isfinite(past)]
        if past.size >= warmup:
            centre[refit : refit + REFIT], spread[refit : refit + REFIT] = past.mean(), past.std()
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = (means - centre) / np.fmax(spread, floor) / Z_ALARM
    return out


def likelihood_of(values: FloatArray, step: float, scores: AnomalyScores) -> FloatArray:
    """The likelihood signal of one series from its streamed scores (the residuals) and values."""
    _, warmup = anomaly.calibration(step)
    return anomaly_likelihood(np.abs(scores.residual), anomaly.score_floor(values, step), warmup)


Combine = Callable[[AnomalyScores, FloatArray, DetectorParams], FloatArray]


def _gated(scores: AnomalyScores, signal: FloatArray, params: DetectorParams) -> FloatArray:
    return np.fmin(signal, scores.pattern_score / params.pattern_threshold / params.residual_gate)


def _without_residual(scores: AnomalyScores, params: DetectorParams) -> FloatArray:
    return combined_score(dataclasses.replace(scores, residual_score=np.full(scores.score.size, np.nan)), params)


VARIANTS: dict[str, Combine] = {
    "shipped (no likelihood)": lambda s, lik, p: combined_score(s, p),
    "+ likelihood, alone (HTM)": lambda s, lik, p: np.fmax(combined_score(s, p), lik),
    "+ likelihood, gated by pattern": lambda s, lik, p: np.fmax(combined_score(s, p), _gated(s, lik, p)),
    "likelihood for residual, alone": lambda s, lik, p: np.fmax(_without_residual(s, p), lik),
    "likelihood for residual, gated": lambda s, lik, p: np.fmax(_without_residual(s, p), _gated(s, lik, p)),
}


class Variant(Detections):
    """The bench's detections with the combined score replaced by one variant's."""

    def __init__(self, corpus: Corpus, base: Detections, likelihoods: list[FloatArray], combine: Combine) -> None:
        self.corpus, self.scores, self.likelihoods, self.combine = corpus, base.scores, likelihoods, combine
        self._flags, self._scores = {}, {}

    def flags(self, i: int, params: DetectorParams) -> np.ndarray:
        """Row detections of file ``i`` under ``params`` with this variant's score."""
        key = (i, params)
        if key not in self._flags:
            series = self.corpus.series[i]
            score = self.combine(self.scores[i], self.likelihoods[i], params)
            self._flags[key] = detect(score, series.step, params)[series.slot]
        return self._flags[key]


def figures(
    corpus: Corpus, detections: Detections, grid: Sequence[DetectorParams] = DETECTOR_GRID
) -> list[float]:
    """In-sample overall; held out per group and overall; leave one file out and per-file ceiling overall,
    each parameter set chosen from ``grid``."""
    series, everything = corpus.series, list(range(len(corpus.series)))
    in_sample = choose(everything, detections.score, grid)
    held_out = cross_validated(folds(series), detections, grid)
    one_file = cross_validated(file_folds(series), detections, grid)
    best = best_per_file(everything, detections, grid)
    groups = [[i for i, s in enumerate(series) if s.group == g] for g in corpus.groups]
    return [total(detections.score(i, in_sample) for i in everything).normalized,
            *(total(detections.score(i, held_out[i]) for i in files).normalized for files in groups),
            *(total(detections.score(i, choice[i]) for i in everything).normalized
              for choice in (held_out, one_file, best))]


def early_share(detections: Detections, grid: Sequence[DetectorParams] = DETECTOR_GRID) -> float:
    """Share of all windows whose first held-out detection falls in their first half (the proactive share)."""
    series = detections.corpus.series
    held_out = cross_validated(folds(series), detections, grid)
    found = total(detections.score(i, held_out[i]) for i in range(len(series)))
    return found.early_windows / found.windows


Signal = Callable[[Series, AnomalyScores], FloatArray]


def compare(
    argv: list[str] | None, doc: str, signal: Signal,
    variants: Mapping[str, tuple[Combine, Sequence[DetectorParams]]],
) -> int:
    """Parse ``--data``, compute each file's ``signal`` and print every variant's figures and early share."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory in NAB's layout")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.data)
    base = Detections(corpus)
    signals = [signal(s, sc) for s, sc in zip(corpus.series, base.scores, strict=True)]
    columns = ["in-sample", *(f"out {g[4:12]}" for g in corpus.groups), "held out", "one file", "per file", "early %"]
    print(f"{'NAB standard':<32}" + "".join(f"{c:>13}" for c in columns))
    for name, (combine, grid) in variants.items():
        variant = Variant(corpus, base, signals, combine)
        row = [*figures(corpus, variant, grid), 100 * early_share(variant, grid)]
        print(f"{name:<32}" + "".join(f"{v:>13.2f}" for v in row))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Print each variant's figures side by side."""
    return compare(argv, __doc__ or "", lambda s, sc: likelihood_of(s.grid, s.step, sc),
                   {name: (combine, DETECTOR_GRID) for name, combine in VARIANTS.items()})


if __name__ == "__main__":
    raise SystemExit(main())
