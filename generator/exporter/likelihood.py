"""HTM's anomaly likelihood over a bounded raw anomaly score, causally (pure numpy).

Numenta's HTM detector does not threshold its raw prediction error: it asks how unlikely the recent
*average* error is against the error's own history (Ahmad et al., "Unsupervised real-time anomaly
detection for streaming data", Neurocomputing 2017; NuPIC's ``anomaly_likelihood.py``). The constants
are NuPIC's defaults, not fitted here:

* the raw score (in [0, 1]) is averaged over the last ``AVERAGING_SAMPLES`` samples;
* a Gaussian of those averages over the ``HISTORY_SAMPLES`` before the latest re-estimation point
  (every ``REESTIMATE_SAMPLES`` samples), once ``MIN_SAMPLES`` are finite (learning period 288 plus
  100 estimation samples), its mean and variance floored as in NuPIC's ``estimateNormal``;
* the two-sided tail probability Q of the current average under that Gaussian.

The score is ``-log10(Q) / DECADES``: 1.0 is a likelihood of 1 - 1e-5, NuPIC's red threshold and about
NAB's tuned threshold for the numenta detector (0.5127 on NuPIC's log base 1e-10 scale).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from generator.exporter.forecast import FloatArray, as_series

AVERAGING_SAMPLES = 10
HISTORY_SAMPLES = 8640
REESTIMATE_SAMPLES = 100
MIN_SAMPLES = 288 + 100
MEAN_FLOOR = 0.03
VARIANCE_FLOOR = 0.0003
DECADES = 5.0
LOOKBACK = HISTORY_SAMPLES + REESTIMATE_SAMPLES + AVERAGING_SAMPLES
"""Raw samples before ``start`` that :func:`anomaly_likelihood` reads (the caller must supply them)."""
_erfc = np.frompyfunc(math.erfc, 1, 1)
_LARGE_Z = 30.0  # beyond this erfc nears underflow: use the asymptotic tail


def anomaly_likelihood(raw: npt.ArrayLike, start: int = 0) -> FloatArray:
    """``-log10(Q) / DECADES`` of each sample's ``AVERAGING_SAMPLES`` mean of ``raw``, from ``start`` on.

    The Gaussian of sample i is re-estimated at ``r = i - i % REESTIMATE_SAMPLES`` from the averages of
    ``[r - HISTORY_SAMPLES, r)``: only earlier samples, on a grid fixed by the index, so a sample's
    value does not depend on ``start`` or on anything after it, bit for bit. NaN before ``start``,
    where the average has no finite sample, and while fewer than ``MIN_SAMPLES`` averages are finite.
    """
    a = as_series(raw)
    n = a.size
    out = np.full(n, np.nan)
    start = min(max(start, 0), n)
    if start >= n:
        return out
    first_estimate = start - start % REESTIMATE_SAMPLES
    lo = max(0, first_estimate - HISTORY_SAMPLES)
    average = np.full(n, np.nan)
    average[lo:] = _trailing_nanmean(a, AVERAGING_SAMPLES, lo)
    for r in range(first_estimate, n, REESTIMATE_SAMPLES):
        rows = slice(max(r, start), min(r + REESTIMATE_SAMPLES, n))
        history = average[max(0, r - HISTORY_SAMPLES) : r]
        history = history[np.isfinite(history)]
        if history.size < MIN_SAMPLES:
            continue
        mean = max(float(np.mean(history)), MEAN_FLOOR)
        sd = math.sqrt(max(float(np.var(history)), VARIANCE_FLOOR))
        out[rows] = neg_log10_tail(np.abs(average[rows] - mean) / sd) / DECADES
    return out


def neg_log10_tail(z: npt.ArrayLike) -> FloatArray:
    """``-log10(Q(z))`` of the standard normal upper tail Q, finite for every finite z >= 0 (else NaN)."""
    x = as_series(z)
    out = np.full(x.size, np.nan)
    small = np.isfinite(x) & (x < _LARGE_Z)
    out[small] = -np.log10(0.5 * _erfc(x[small] / math.sqrt(2.0)).astype(np.float64))
    large = np.isfinite(x) & (x >= _LARGE_Z)
    out[large] = (0.5 * x[large] ** 2 + np.log(x[large]) + 0.5 * math.log(2 * math.pi)) / math.log(10.0)
    return out


def _trailing_nanmean(a: FloatArray, window: int, start: int) -> FloatArray:
    """Mean of the finite values of ``a[i-window+1 : i+1]`` for each i >= ``start`` (NaN if none)."""
    padded = np.concatenate([np.full(window - 1, np.nan), a])
    views = sliding_window_view(padded, window)[start:]
    finite = np.isfinite(views)
    count = finite.sum(axis=1)
    total = np.where(finite, views, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean
