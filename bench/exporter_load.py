"""The sidecar exporter under hostile load: many simultaneous scrapers, then 1000 half-open connections.

Usage: ``python bench/exporter_load.py [--clients 200] [--rounds 10] [--half-open 1000]``.

A real ``obsgen exporter`` serves the shipped queries from a demo SQLite database. Each round, every
client opens a new connection at the same moment and reads /metrics (asyncio on raw sockets, so the
client's own overhead stays below the server's); then the same rounds with each client starting at a random
moment of its round, as Prometheus spreads scrapes over the interval. Then ``--half-open`` connections are opened, half
sending nothing and half stopping mid-request; a scrape must still be served while they hang, the
server's thread count must not grow, and every one must be closed by the server within its idle timeout.
Goals: 0 errors, p99 < 50 ms, half-open connections released within the timeout, RSS stable.
"""

from __future__ import annotations

import argparse
import asyncio
import random
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
from generator.exporter.http import IDLE_TIMEOUT, SWEEP_INTERVAL  # noqa: E402

GOAL_P99_MS = 50.0
CLIENT_TIMEOUT = 10.0
SPREAD = 1.0


def status_of(pid: int) -> dict[str, int]:
    """Threads and resident memory (KiB) of a process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {"threads": int(fields["Threads"]), "rss_kib": int(fields["VmRSS"].split()[0])}


async def scrape(port: int, delay: float = 0.0) -> float:
    """One scrape on a new connection after `delay` seconds; its latency in ms (raises on an error or non-200)."""
    await asyncio.sleep(delay)
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    answer = await reader.read()
    writer.close()
    if answer[:9] not in (b"HTTP/1.1 ", b"HTTP/1.0 ") or answer[9:12] != b"200":  # wsgiref answers in HTTP/1.0
        raise RuntimeError(answer[:80])
    return (time.perf_counter() - started) * 1000


async def rounds(port: int, clients: int, count: int, spread: float = 0.0) -> tuple[list[float], int]:
    """`count` rounds of `clients` scrapes, all at once (spread 0) or each at a random moment of `spread`
    seconds, as Prometheus servers spread their scrapes: latencies and the number of failed scrapes."""
    latencies: list[float] = []
    errors = 0
    rng = random.Random(14)
    for _ in range(count):
        outcomes = await asyncio.gather(*(asyncio.wait_for(scrape(port, rng.uniform(0, spread)),
                                                           CLIENT_TIMEOUT + spread) for _ in range(clients)),
                                        return_exceptions=True)
        errors += sum(1 for outcome in outcomes if isinstance(outcome, BaseException))
        latencies += [outcome for outcome in outcomes if isinstance(outcome, float)]
    return latencies, errors


async def half_open(port: int, count: int, pid: int) -> tuple[float, int, int, bool]:
    """Open `count` hanging connections; seconds until the server closed them all, threads before and
    while they hang, and whether a scrape was served meanwhile."""
    threads_before = status_of(pid)["threads"]
    streams = []
    for index in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if index % 2:
            writer.write(b"GET /metrics HTTP/1.1\r\nHost: bench\r\n")
        streams.append((reader, writer))
    opened = time.perf_counter()
    served = await asyncio.wait_for(scrape(port), CLIENT_TIMEOUT) > 0
    threads_during = status_of(pid)["threads"]
    await asyncio.gather(*(asyncio.wait_for(reader.read(), IDLE_TIMEOUT * 3) for reader, _ in streams))
    released = time.perf_counter() - opened
    for _, writer in streams:
        writer.close()
    return released, threads_before, threads_during, served


def main(argv: list[str] | None = None) -> int:
    """Run the exporter, load it, print the figures against the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--half-open", type=int, default=1000)
    args = parser.parse_args(argv)
    config = yaml.safe_load(SHIPPED_CONFIG.read_text())
    with demo_exporter({**config, "forecasts": []}, "obsgen-load-") as exporter:
        port, pid = exporter.port, exporter.process.pid
        size = len(requests.get(exporter.metrics_url, timeout=5).content)
        idle = status_of(pid)
        latencies, errors = asyncio.run(rounds(port, args.clients, args.rounds))
        spread, spread_errors = asyncio.run(rounds(port, args.clients, args.rounds, SPREAD))
        loaded = status_of(pid)
        released, threads_before, threads_during, served = asyncio.run(half_open(port, args.half_open, pid))
        after = status_of(pid)
        again, errors_again = asyncio.run(rounds(port, args.clients, args.rounds))
        final = status_of(pid)
    p50, p99 = np.percentile(latencies, [50, 99])
    print(f"{args.clients} simultaneous clients x {args.rounds} rounds, {size / 1024:.1f} KiB per scrape: "
          f"{errors} errors of {args.clients * args.rounds}; p50 {p50:.1f} ms  p99 {p99:.1f} ms  "
          f"max {max(latencies):.1f} ms (goal: 0 errors, p99 < {GOAL_P99_MS:.0f} ms: "
          f"{'met' if not errors and p99 < GOAL_P99_MS else 'NOT met'})")
    print(f"the same spread over {SPREAD:.0f} s per round (as scrapers are): {spread_errors} errors; p50 "
          f"{np.percentile(spread, 50):.1f} ms  p99 {np.percentile(spread, 99):.1f} ms  max {max(spread):.1f} ms")
    print(f"{args.half_open} half-open connections: server threads {threads_before} before, {threads_during} "
          f"while they hang ({'none held: met' if threads_during <= threads_before else 'NOT met'}); a scrape "
          f"{'was' if served else 'was NOT'} served meanwhile; the server closed them all {released:.1f} s after "
          f"the last opened (idle timeout {IDLE_TIMEOUT} s, checked every {SWEEP_INTERVAL} s); threads after "
          f"{after['threads']}")
    print(f"the same load again: {errors_again} errors, p99 {np.percentile(again, 99):.1f} ms")
    print(f"RSS: {idle['rss_kib'] / 1024:.1f} MiB idle, {loaded['rss_kib'] / 1024:.1f} after the rounds, "
          f"{after['rss_kib'] / 1024:.1f} after the half-open connections, {final['rss_kib'] / 1024:.1f} after the "
          f"second rounds (growth {(final['rss_kib'] - loaded['rss_kib']) / loaded['rss_kib'] * 100:+.1f}% "
          f"from the first rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
