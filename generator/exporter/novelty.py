"""How unlike everything before it each stretch of a series is, causally (pure numpy, no I/O).

Two measures, both for every sample and each using only the samples up to it:

* **range novelty**: how far a value lies outside the range of all earlier values, as a fraction of
  that range (0 inside it). A first-ever high or low is what many incidents look like (a disk
  that was never this full, a latency never this high); Numenta's HTM detector flags it as a
  "spatial anomaly" beside its sequence model.
* **pattern novelty**: the distance from the shape of the last few blocks (mean, max and min of
  each) to the nearest shape seen earlier, the left nearest neighbour of a matrix profile in the
  manner of KNN-CAD and discord discovery. A pattern seen before, such as a nightly batch spike, is
  not novel however large; one never seen is, whatever its size.

Series conventions are those of :mod:`generator.exporter.forecast` (fixed step, NaN gaps).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from generator.exporter.forecast import FloatArray, as_series

_CHUNK_ELEMENTS = 100_000


def block_features(values: npt.ArrayLike, block_steps: int, blocks: int) -> FloatArray:
    """Row i: mean, max and min of each of the ``blocks`` blocks of ``block_steps`` samples ending at i.

    Shape (n, 3 * blocks), oldest block first within each statistic. A row is NaN where its
    blocks reach before the first sample or a block has no finite sample.
    """
    if block_steps < 1 or blocks < 1:
        raise ValueError("block_steps and blocks must be >= 1")
    x = as_series(values)
    n = x.size
    padded = sliding_window_view(np.concatenate([np.full(block_steps - 1, np.nan), x]), block_steps)
    finite = np.isfinite(padded)
    count = finite.sum(axis=1)
    empty = count == 0
    mean = np.where(finite, padded, 0.0).sum(axis=1) / np.maximum(count, 1)
    high = np.where(finite, padded, -np.inf).max(axis=1)
    low = np.where(finite, padded, np.inf).min(axis=1)
    columns = []
    for stat in (mean, high, low):
        stat = np.where(empty, np.nan, stat)
        for back in range(blocks - 1, -1, -1):
            shift = back * block_steps
            columns.append(np.concatenate([np.full(min(shift, n), np.nan), stat[: max(n - shift, 0)]]))
    return np.stack(columns, axis=1) if n else np.empty((0, 3 * blocks))


def nearest_past_distance(features: FloatArray, stride: int, exclusion: int, start: int = 0) -> FloatArray:
    """Euclidean distance from each row >= ``start`` to the nearest earlier row (NaN before ``start``).

    Candidates are every ``stride``-th row with finite features that ends at least ``exclusion`` rows
    earlier (so a stretch never matches itself or its own overlap). NaN where a row has a
    non-finite feature or no candidate exists yet. Each distance is summed feature by feature in
    a fixed order, so a row's result does not depend on anything after it, bit for bit.
    """
    if stride < 1 or exclusion < 1:
        raise ValueError("stride and exclusion must be >= 1")
    n = features.shape[0]
    out = np.full(n, np.nan)
    candidates = np.arange(0, n, stride)
    candidates = candidates[np.isfinite(features[candidates]).all(axis=1)]
    pool = np.ascontiguousarray(features[candidates].T)  # one contiguous row per feature
    rows = np.arange(max(start, 0), n)
    rows = rows[np.isfinite(features[rows]).all(axis=1)]
    allowed = np.searchsorted(candidates, rows - exclusion, side="right")
    rows, allowed = rows[allowed > 0], allowed[allowed > 0]
    chunk = max(1, _CHUNK_ELEMENTS // max(1, candidates.size))
    for first in range(0, rows.size, chunk):
        query, limit = rows[first : first + chunk], allowed[first : first + chunk]
        width = int(limit.max())
        squared = np.zeros((query.size, width))
        diff = np.empty_like(squared)
        columns = features[query].T
        for column in range(features.shape[1]):
            np.subtract(columns[column][:, None], pool[column, None, :width], out=diff)
            np.multiply(diff, diff, out=diff)
            np.add(squared, diff, out=squared)
        squared[np.arange(width)[None, :] >= limit[:, None]] = np.inf
        out[query] = np.sqrt(squared.min(axis=1))
    return out


def range_novelty(values: npt.ArrayLike, warmup: int = 1) -> FloatArray:
    """How far each value lies beyond the [min, max] of all earlier finite values, in units of that range.

    0 inside the range, NaN for gaps, for the first ``warmup`` finite values and while the earlier
    range is empty (all equal values: any other value would be infinitely novel).
    """
    x = as_series(values)
    finite = np.isfinite(x)
    high = np.maximum.accumulate(np.where(finite, x, -np.inf))
    low = np.minimum.accumulate(np.where(finite, x, np.inf))
    prev_high = np.concatenate([[-np.inf], high[:-1]])
    prev_low = np.concatenate([[np.inf], low[:-1]])
    span = prev_high - prev_low
    seen = np.concatenate([[0], np.cumsum(finite)[:-1]])
    usable = finite & (seen >= max(warmup, 1)) & (span > 0)
    out = np.full(x.size, np.nan)
    beyond = np.maximum(np.maximum(x - prev_high, prev_low - x), 0.0)
    out[usable] = beyond[usable] / span[usable]
    return out
