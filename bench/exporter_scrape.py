"""Scrape latency of the sidecar exporter with 100 declared SQL queries running in the background.

Usage: ``python bench/exporter_scrape.py [--queries 100] [--seconds 20] [--interval 5s]``.

A demo SQLite database (``obsgen demo-db``, 2 days) and a configuration of ``--queries`` business metrics
(the shipped ones, repeated under new names, every one re-run each ``--interval``, 5 s by default: 20
runs a second, far busier than the shipped 1 m) are served by a real ``obsgen exporter`` process. Once
every query has run, /metrics is scraped back to back for ``--seconds`` over one keep-alive connection
(Prometheus keeps connections alive too) while the queries keep running. Goal: p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.demo_exporter import SHIPPED_CONFIG, demo_exporter  # noqa: E402

GOAL_P99_MS = 50.0


def config_with(queries: int, interval: str, shipped: Path) -> dict[str, object]:
    """The shipped configuration's queries repeated under new names up to `queries`, each run every `interval`."""
    config = yaml.safe_load(shipped.read_text())
    base = config["queries"]
    repeated = []
    for index in range(queries):
        entry = dict(base[index % len(base)])
        stem = entry["name"].removesuffix("_total")
        entry["name"] = f"{stem}_{index}" + ("_total" if entry["type"] == "counter" else "")
        entry.update(interval=interval, timeout=interval, stale_after="1h")
        repeated.append(entry)
    return {**config, "queries": repeated, "forecasts": []}


def main(argv: list[str] | None = None) -> int:
    """Run the exporter, scrape it, print the latency percentiles against the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="How long to scrape.")
    parser.add_argument("--interval", default="5s", help="How often each query runs.")
    args = parser.parse_args(argv)
    config = config_with(args.queries, args.interval, SHIPPED_CONFIG)
    with demo_exporter(config, "obsgen-scrape-") as exporter:
        metrics = exporter.metrics_url
        session = requests.Session()
        deadline = time.monotonic() + 120
        while session.get(metrics, timeout=10).text.count('status="success"} 1.0') < args.queries:
            if time.monotonic() > deadline:
                raise SystemExit(f"not every query ran within 120 s:\n{exporter.log.read_text()[-2000:]}")
            time.sleep(0.2)
        latencies, size, began = [], 0, time.perf_counter()
        while time.perf_counter() - began < args.seconds:
            started = time.perf_counter()
            body = session.get(metrics, timeout=10).content
            latencies.append((time.perf_counter() - started) * 1000)
            size = len(body)
        runs = sum(float(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
                   if line.startswith("obsgen_query_runs_total{"))
        elapsed = time.perf_counter() - began
    p50, p90, p99 = np.percentile(latencies, [50, 90, 99])
    lines = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
    print(f"exporter scrape latency: {args.queries} queries each run every {args.interval} ({runs:.0f} runs in "
          f"all), {len(latencies)} scrapes in {elapsed:.1f} s, {lines} samples, {size / 1024:.0f} KiB per scrape")
    print(f"p50 {p50:.1f} ms  p90 {p90:.1f} ms  p99 {p99:.1f} ms  max {max(latencies):.1f} ms")
    print(f"goal p99 < {GOAL_P99_MS:.0f} ms: {'met' if p99 < GOAL_P99_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
