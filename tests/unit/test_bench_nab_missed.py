"""bench/nab/missed.py: the short pattern and the gap signal are causal bit for bit; the gap reads silences."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nab.missed import VARIANTS, GapParams, gap_signal, signals

from generator.exporter.anomaly import DEFAULT_PARAMS, combined_score, streaming_anomaly_scores

STEP, DAY = 300.0, 288


def _daily(n: int) -> np.ndarray:
    """A daily cycle with Laplace noise, sampled every 5 minutes."""
    noise = np.random.default_rng(n).laplace(0.0, 0.05, n)
    return 5.0 + np.cos(2 * np.pi * np.arange(n) / DAY) + noise


def test_perturbing_the_future_leaves_every_earlier_signal_bitwise_unchanged() -> None:
    values = _daily(2200)
    values[[500, 501, 1500, 1501, 1502]] = np.nan
    before = signals(values, STEP)
    assert np.isfinite(before[0, 1000:1500]).all() and (before[1] > 0).sum() == 2
    for cut in (1000, 1801, 2190):
        changed = values.copy()
        changed[cut:] = np.random.default_rng(cut).normal(30.0, 5.0, values.size - cut)
        changed[cut + 3 : cut + 6] = np.nan
        after = signals(changed, STEP)
        assert np.array_equal(before[:, :cut], after[:, :cut], equal_nan=True)
        assert not np.array_equal(before[:, cut + 1 :], after[:, cut + 1 :], equal_nan=True)


def test_the_gap_signal_is_a_silence_over_the_longest_earlier_one() -> None:
    values = np.ones(400)
    values[100:105] = np.nan  # 5 slots, under the 1-hour floor of 12
    values[200:230] = np.nan  # 30 slots: 2.5 floors
    values[300:315] = np.nan  # 15 slots: half the longest before it
    signal = gap_signal(values, STEP)
    assert np.flatnonzero(signal).tolist() == [105, 230, 315]
    assert signal[105] == 5 / 12 and signal[230] == 30 / 12 and signal[315] == 0.5


def test_the_variants_leave_the_shipped_score_alone_when_their_signals_are_off() -> None:
    values = _daily(1500)
    scores = streaming_anomaly_scores(values, STEP, 86_400.0)
    extra = np.stack([np.full(values.size, np.nan), np.full(values.size, 3.0)])
    shipped = combined_score(scores, DEFAULT_PARAMS)
    off = GapParams(**dataclasses.asdict(DEFAULT_PARAMS), gap_factor=math.inf)
    both, _ = VARIANTS["both"]
    assert np.array_equal(both(scores, extra, off), shipped, equal_nan=True)
    assert (both(scores, extra, dataclasses.replace(off, gap_factor=2.0)) >= 1.5).all()
