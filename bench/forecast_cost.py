"""Cost of the exporter's forecasts: 100 series at 5-minute steps with 5 weeks of history, every 5 minutes.

Usage: ``python bench/forecast_cost.py [--series 100] [--refreshes 3]``.

Each refresh does what the exporter does for every series a Forecast returns (generator/exporter/
predict.py): the forecast with its band (every candidate method backtested), the anomaly scores of the
newest sample, and the time to exhaustion (half the series declare a capacity). The series are
synthetic (daily and weekly rhythm, noise, a slow trend), 10,080 samples each, as query_range returns
them for ``history="5w", step="5m"``. Printed: CPU seconds per refresh (median of the refreshes), its
share of one core's budget (one refresh every 300 s), and the process' peak resident memory before and
after. Goal: under 25% of one core.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.exporter.predict import predict  # noqa: E402
from generator.model import Capacity, Forecast  # noqa: E402

STEP = 300.0
HISTORY_STEPS = 5 * 7 * 288
REFRESH_SECONDS = 300.0
GOAL_SHARE = 0.25


def series(count: int, seed: int = 1) -> list[np.ndarray]:
    """``count`` 5-week series with a daily and a weekly rhythm, noise and a slow trend, a few gaps."""
    rng = np.random.default_rng(seed)
    t = np.arange(HISTORY_STEPS) * STEP
    day, week = 2 * np.pi * t / 86_400, 2 * np.pi * t / (7 * 86_400)
    found = []
    for _ in range(count):
        level = rng.uniform(10, 1000)
        values = level * (1 + 0.3 * np.sin(day + rng.uniform(0, 6)) + 0.1 * np.sin(week) + 1e-7 * t)
        values += rng.normal(0, 0.05 * level, t.size)
        values[rng.integers(0, t.size, 20)] = np.nan
        found.append(values)
    return found


def main(argv: list[str] | None = None) -> int:
    """Time the refreshes and print the cost against one core's budget."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--series", type=int, default=100)
    parser.add_argument("--refreshes", type=int, default=3)
    args = parser.parse_args(argv)
    plain = Forecast(name="cost", help="Cost.", expr="x", step="5m", season="1w", history="5w", horizon="1d")
    capacity = plain.model_copy(update={"capacity": Capacity(limit=0, direction="down")})
    histories = series(args.series)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, wall = [], []
    for _ in range(args.refreshes):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for i, values in enumerate(histories):
            predict(capacity if i % 2 else plain, {"series": str(i)}, values, HISTORY_STEPS * STEP)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_refresh = statistics.median(cpu)
    share = per_refresh / REFRESH_SECONDS
    print(f"{args.series} series x {HISTORY_STEPS} samples, {args.refreshes} refreshes")
    print(f"CPU per refresh: {per_refresh:.2f} s (median; wall {statistics.median(wall):.2f} s), "
          f"{1000 * per_refresh / args.series:.0f} ms per series")
    print(f"share of one core at one refresh every {REFRESH_SECONDS:.0f} s: {share:.1%} "
          f"(goal < {GOAL_SHARE:.0%}: {'met' if share < GOAL_SHARE else 'NOT met'})")
    print(f"peak resident memory: {rss_before:.0f} MiB with the histories loaded, {rss_after:.0f} MiB after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
