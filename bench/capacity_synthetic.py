"""Capacity predictions on synthetic disk-fill series, against the known time the disk is full; and on healthy
cycles that never fill, against the share of time a warning stands.

Usage: ``python bench/capacity_synthetic.py [--series 20] [--healthy-series 5]``.

Five kinds of free-bytes series on a 100 GB disk, sampled every 5 minutes with noise (sd 0.2% of the
disk), each filling up 24-25 days after it starts (``--series`` random instances per kind):
linear growth; accelerating growth (the write rate multiplies by 2 to 6 over the 24 days);
periodic cleanups (every 6, 12 or 24 h a job frees 50-85% of what was written since the last one, so
the disk fills at the top of a cycle); restarts (every 1-2 days a 20-60 minute gap in the samples and
0.5% of the disk freed); a leak on a daily cycle (usage +-5-15% of the disk over the day, so the disk
fills at the top of a day). The truth is when the noiseless series reaches the limit.

The exporter's prediction (``time_to_exhaustion`` on the last 2 weeks with the daily season, as the shipped
``disk_free`` forecast reads them) is made 7 days, 1 day and 1 hour before the truth: the median relative error
|predicted - true| / true. An alert "full within H" is *in time* when the prediction first drops below
H while at least H/2 remains (checked every H/12 from 2.5 H before); "notice" is the time left then,
in units of H (1 is exact, above 1 early). The previous method, one Theil-Sen trend over the whole
history, is measured beside it. The overall figures are given for the first four kinds (the cases measured
before the leak on a cycle was added) and for all five.

Healthy cycles (``--healthy-series`` instances each): memory used, in percent of a limit of 100, with a daily
cycle (55% +-10-15%, noise sd 0.5%); a weekly one (a daily +-8% and weekdays 5% above the weekend, the
season declared 1w on 5 weeks of history; and the same declared 1d on 2 weeks, as the shipped
``memory_used`` reads it); a noisy cycle (50% +-10%, noise sd 3% and 1% of samples 15% above); the daily cycle
seen for only 1.5 and 2.5 days (a new host: its season's shape is not known yet), and the daily and noisy cycles
seen for only 6, 12 and 20 hours (in their first season). No cycle peaks above 70%.
Predicted every hour over the last 3 days: the share of those times a critical (under 1 d) and a warning (under
7 d) prediction stands, and the longest critical stretch; each is a false warning. Young fills: memory filling at a
constant rate seen for only 6, 12 and 20 hours (in the same first season), full in 0.5 to 2 times as long again as
it has been seen: the median relative error of the prediction (inf when none is made).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.exporter.capacity import exhaustion_seconds, linear_trend, time_to_exhaustion  # noqa: E402

FloatArray = npt.NDArray[np.float64]
Predictor = Callable[[FloatArray, float], float]

STEP = 300.0
HOUR = 3600.0
DAY = 86_400.0
SIZE = 100e9
HISTORY = 14 * DAY
NOISE = 0.002 * SIZE
KINDS = ("linear", "accelerating", "cleanups", "restarts", "daily cycle")
FIRST_KINDS = 4
WEEK = 7 * DAY
HORIZONS = (7 * DAY, DAY, HOUR)


def scenario(kind: str, seed: int) -> tuple[FloatArray, float]:
    """Observed free bytes every STEP from t=0 (NaN gaps) and the time the noiseless disk is full."""
    rng = np.random.default_rng(seed)
    full_at = 24 * DAY + rng.uniform(0, DAY)
    t = np.arange(0, full_at + DAY, STEP)
    start = rng.uniform(0.2, 0.5) * SIZE
    gaps = np.zeros(t.size, dtype=bool)
    if kind == "accelerating":
        rate = math.log(rng.uniform(2, 6)) / full_at
        used = start + (SIZE - start) * np.expm1(rate * t) / math.expm1(rate * full_at)
    elif kind == "cleanups":
        used = cleanup_cycles(t, start, full_at, rng)
    elif kind == "daily cycle":
        amplitude = rng.uniform(0.05, 0.15) * SIZE
        used = start + (SIZE - amplitude - start) * t / full_at + amplitude * np.sin(2 * np.pi * t / DAY
                                                                                   + rng.uniform(0, 6))
    else:
        freed = np.zeros(t.size)
        if kind == "restarts":
            at = rng.uniform(1, 2) * DAY
            while at < t[-1]:
                i = int(at / STEP)
                freed[i:] += 0.005 * SIZE
                gaps[i : i + int(rng.uniform(20, 60) * 60 / STEP)] = True
                at += rng.uniform(1, 2) * DAY
        # the write rate that fills the disk at full_at despite what restarts freed before then
        rate = (SIZE - start + freed[int(full_at / STEP)]) / full_at
        used = start + rate * t - freed
    full_at = float(t[np.flatnonzero(used >= SIZE)[0]])  # on the sample grid
    free = SIZE - used + rng.normal(0, NOISE, t.size)
    free[gaps] = np.nan
    return free, full_at


def cleanup_cycles(t: FloatArray, start: float, full_at: float, rng: np.random.Generator) -> FloatArray:
    """Usage written at a constant rate, a cleanup every period freeing a share of the cycle's writes;
    the rate is chosen (bisection) so the top of a cycle first reaches the disk's size at ``full_at``."""
    period = float(rng.choice([6, 12, 24])) * HOUR
    share = rng.uniform(0.5, 0.85)
    phase = rng.uniform(0, period)
    cycle = np.floor((t + phase) / period)
    written_in_cycle = (t + phase) - cycle * period - np.where(cycle == cycle[0], phase, 0.0)

    def used(rate: float) -> FloatArray:
        kept = (1 - share) * rate * (t - written_in_cycle)  # what survived every earlier cleanup
        result: FloatArray = start + kept + rate * written_in_cycle
        return result

    low, high = 1e-3, 1e6
    for _ in range(60):
        rate = math.sqrt(low * high)
        reached = np.flatnonzero(used(rate) >= SIZE)
        low, high = (rate, high) if not reached.size or t[reached[0]] > full_at else (low, rate)
    return used(high)


def shipped(values: FloatArray, step: float) -> float:
    """The exporter's time to exhaustion of free bytes falling to 0, with the shipped disk_free's daily season."""
    return time_to_exhaustion(values, step, 0.0, "down", DAY)


def whole_history(values: FloatArray, step: float) -> float:
    """The previous method: one Theil-Sen trend over the whole history."""
    return exhaustion_seconds(linear_trend(values, step), 0.0, "down")


def predict_at(predictor: Predictor, free: FloatArray, at: float) -> float:
    """The prediction made at time ``at`` from the HISTORY before it."""
    i = round(at / STEP)
    return predictor(free[max(0, i - int(HISTORY / STEP) + 1) : i + 1], STEP)


def measure(predictor: Predictor, kind: str, series: int) -> dict[float, tuple[float, float, float]]:
    """Per horizon: median relative error, share of alerts in time, median notice (in horizons)."""
    found: dict[float, tuple[list[float], list[bool], list[float]]] = {h: ([], [], []) for h in HORIZONS}
    for seed in range(series):
        free, full_at = scenario(kind, seed)
        for horizon in HORIZONS:
            errors, in_time, notice = found[horizon]
            predicted = predict_at(predictor, free, full_at - horizon)
            errors.append(abs(predicted - horizon) / horizon if math.isfinite(predicted) else math.inf)
            first = next((at for at in np.arange(full_at - 2.5 * horizon, full_at, max(STEP, horizon / 12))
                          if predict_at(predictor, free, at) <= horizon), None)
            in_time.append(first is not None and full_at - first >= horizon / 2)
            notice.append((full_at - first) / horizon if first is not None else 0.0)
    return {h: (float(np.median(e)), float(np.mean(i)), float(np.median(n))) for h, (e, i, n) in found.items()}


YOUNG = (6 * HOUR, 12 * HOUR, 20 * HOUR)
"""Histories in the first season, of the young healthy cycles and fills."""
HEALTHY = (  # name, declared season, history
    ("daily cycle", DAY, 14 * DAY),
    ("weekly cycle", WEEK, 35 * DAY),
    ("weekly, as 1d", DAY, 14 * DAY),
    ("noisy cycle", DAY, 14 * DAY),
    ("daily, 1.5 d", DAY, 1.5 * DAY),
    ("daily, 2.5 d", DAY, 2.5 * DAY),
    *((f"{kind}, {seen / HOUR:g} h", DAY, seen) for kind in ("daily", "noisy") for seen in YOUNG),
)
YOUNG_LEFT = (0.5, 0.75, 1.0, 2.0)
CHECKED = 3 * DAY
CHECK_EVERY = HOUR


def healthy(kind: str, history: float, seed: int) -> FloatArray:
    """Memory used in percent, CHECKED after ``history``: a cycle whose peak stays at or under 70%."""
    rng = np.random.default_rng(1000 + seed)
    t = np.arange(0, history + CHECKED, STEP)
    day = 2 * np.pi * t / DAY + rng.uniform(0, 6)
    used: FloatArray
    if kind.startswith("weekly"):
        used = 55 + 8 * np.sin(day) + 5 * np.sin(2 * np.pi * t / WEEK + rng.uniform(0, 6)) + rng.normal(0, 0.5, t.size)
    elif kind.startswith("noisy"):
        used = 50 + 10 * np.sin(day) + rng.normal(0, 3, t.size) + 15 * (rng.uniform(0, 1, t.size) < 0.01)
    else:
        used = 55 + rng.uniform(10, 15) * np.sin(day) + rng.normal(0, 0.5, t.size)
    return used


def false_warnings(kind: str, season: float, history: float, series: int) -> tuple[float, float, float]:
    """Share of checked times with a critical and with a warning prediction, longest critical stretch (hours)."""
    critical, warning, longest = [], [], 0.0
    for seed in range(series):
        used = healthy(kind, history, seed)
        stretch = 0.0
        for end in np.arange(history, history + CHECKED, CHECK_EVERY):
            i = round(end / STEP)
            seconds = time_to_exhaustion(used[i - round(history / STEP) + 1 : i + 1], STEP, 100.0, "up", season)
            critical.append(seconds < DAY)
            warning.append(seconds < 7 * DAY)
            stretch = stretch + CHECK_EVERY if critical[-1] else 0.0
            longest = max(longest, stretch)
    return float(np.mean(critical)), float(np.mean(warning)), longest / HOUR


def young_fill(seen: float, left: float, seed: int) -> float:
    """Relative error of the prediction on memory used (limit 100) filling at a constant rate from 30-50% since it
    was first seen, ``seen`` ago, full ``left`` times as long again (noise sd 0.5, the daily season declared)."""
    rng = np.random.default_rng(2000 + seed)
    t = np.arange(0, seen + STEP / 2, STEP)
    start = rng.uniform(30, 50)
    used = start + (100 - start) * t / (seen * (1 + left)) + rng.normal(0, 0.5, t.size)
    padded = np.concatenate([np.full(round(HISTORY / STEP) - t.size, np.nan), used])  # as query_range answers
    predicted = time_to_exhaustion(padded, STEP, 100.0, "up", DAY)
    return abs(predicted - left * seen) / (left * seen) if math.isfinite(predicted) else math.inf


def main(argv: list[str] | None = None) -> int:
    """Print, per kind and horizon, the error, in-time share and notice of both methods."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--series", type=int, default=20, help="random instances per kind")
    parser.add_argument("--healthy-series", type=int, default=5, help="random instances per healthy cycle")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"{'kind':<13} {'method':<13} " + "  ".join(f"{_label(h) + ' before: error in-time notice':>34}"
                                                    for h in HORIZONS))
    overall: dict[str, list[tuple[float, float]]] = {"shipped": [], "whole history": []}
    for kind in KINDS:
        for name, predictor in (("shipped", shipped), ("whole history", whole_history)):
            result = measure(predictor, kind, args.series)
            overall[name] += [(e, i) for e, i, _ in result.values()]
            cells = "  ".join(f"{'':>12}{e:>8.2f} {i:>7.0%} {n:>6.2f}" for e, i, n in result.values())
            print(f"{kind:<13} {name:<13} {cells}")
    first = FIRST_KINDS * len(HORIZONS)
    for name, values in overall.items():
        for kinds, found in ((f"the first {FIRST_KINDS} kinds", values[:first]), ("every kind", values)):
            print(f"\n{name}: median relative error {np.median([e for e, _ in found]):.2f} over {kinds} and "
                  f"horizon, alerts in time {np.mean([i for _, i in found]):.0%}")
    print(f"\n{'healthy cycle':<15} {'season':>6}  {'critical':>8} {'warning':>8} {'longest critical':>17}")
    for kind, season, history in HEALTHY:
        critical, warning, longest = false_warnings(kind, season, history, args.healthy_series)
        print(f"{kind:<15} {_label(season):>6}  {critical:>8.1%} {warning:>8.1%} {longest:>15.0f} h")
    print(f"\n{'young fill':<15} " + " ".join(f"{f'full in {left:g}x':>13}" for left in YOUNG_LEFT)
          + "   (median relative error; inf: not predicted)")
    for seen in YOUNG:
        errors = [np.median([young_fill(seen, left, seed) for seed in range(args.series)]) for left in YOUNG_LEFT]
        print(f"{'seen ' + _label(seen):<15} " + " ".join(f"{e:>13.2f}" for e in errors))
    print(f"\n{args.series} series per kind, {args.healthy_series} per healthy cycle, in "
          f"{time.perf_counter() - started:.0f} s.")
    return 0


def _label(seconds: float) -> str:
    return f"{seconds / DAY:g} d" if seconds >= DAY else f"{seconds / HOUR:g} h"


if __name__ == "__main__":
    raise SystemExit(main())
