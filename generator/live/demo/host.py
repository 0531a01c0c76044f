"""Simulated hosts exposing node-exporter's CPU, memory and filesystem series, so their faults are deterministic.

The real node-exporter reports the real machine, which tests share with others: its CPU cannot be pushed
above 90% on demand, nor its memory to 97%. This host is scraped by a demo-only job with the same series
names and types, so the shipped rules and alerts run unchanged on it.
"""

from __future__ import annotations

import math
import threading
import time

from generator.live.demo.business import Series
from generator.live.demo.faults import Fault, Faults

SIMULATED_HOSTS = ("simulated-host", "simulated-host-2", "simulated-host-3")
"""instance labels of the simulated hosts: several, so incidents can run side by side without one's alert groups,
notifications or silences touching another's."""
CPUS = ("0", "1")
NORMAL_CPU = {"idle": 0.75, "user": 0.18, "system": 0.05, "iowait": 0.02}
"""Seconds per second each CPU spends in each mode."""
BUSY_CPU = {"idle": 0.02, "user": 0.85, "system": 0.12, "iowait": 0.01}
MEMORY_TOTAL = 16 * 2**30
NORMAL_AVAILABLE = 0.55
"""Share of memory available when healthy."""
EXHAUSTED_AVAILABLE = 0.03
LEAKED_AVAILABLE = 0.01
"""Share of memory still available when a memory leak is at its worst."""
DISK_SIZE = 500 * 10**9
DISK_LABEL_SET = (("device", "/dev/vdb"), ("fstype", "ext4"), ("mountpoint", "/data"))
DISK_LABELS = ",".join(f'{name}="{value}"' for name, value in DISK_LABEL_SET)
NORMAL_DISK_FREE = 0.4


def metrics_path(host: str) -> str:
    """Where the demo serves a simulated host's series."""
    return f"/hosts/{host}/metrics"


def wobble(t: float) -> float:
    """The healthy host's slow swing at Unix time t: memory by this share, disk free by a tenth of it."""
    return 0.02 * math.sin(t / 30)


def available_memory(t: float, leaked: float = 0.0) -> int:
    """Bytes of memory available at Unix time t: the healthy share and its swing, less the share a leak took."""
    return int(MEMORY_TOTAL * max(NORMAL_AVAILABLE + wobble(t) - leaked, 0.0))


def free_disk(t: float, filled: float = 0.0) -> int:
    """Bytes free on /data at Unix time t: the healthy share and a tenth of the swing, less the part filled."""
    return int(DISK_SIZE * ((NORMAL_DISK_FREE + wobble(t) / 10) * (1 - filled)))


def healthy_gauges(jobs: dict[str, str], t: float) -> dict[Series, float]:
    """Each simulated host's memory and filesystem gauges at Unix time t, as :meth:`SimulatedHost.exposition`
    serves them with no fault active; ``jobs`` maps each host's instance label to its scrape job.

    The live stack backfills them (generator/live/backfill.py) as it does the shop's series: a deployed host has
    weeks of history, and a series seen for less than its season is predicted to reach only a limit within its own
    range (generator/exporter/capacity.py's within_seen_range), so a memory leak on a host with no past paged only
    once MemoryHigh did."""
    found: dict[Series, float] = {}
    for instance, job in jobs.items():
        own = (("instance", instance), ("job", job))
        disk = tuple(sorted((*own, *DISK_LABEL_SET)))
        found[Series("node_memory_MemTotal_bytes", own)] = MEMORY_TOTAL
        found[Series("node_memory_MemAvailable_bytes", own)] = available_memory(t)
        found[Series("node_filesystem_avail_bytes", disk)] = free_disk(t)
        found[Series("node_filesystem_size_bytes", disk)] = DISK_SIZE
    return found


class SimulatedHost:
    """CPU-seconds counters integrated over time, memory and filesystem gauges, shaped by the faults active on it."""

    def __init__(self, faults: Faults, name: str, ramp_seconds: float) -> None:
        self.faults = faults
        self.name = name
        self.ramp_seconds = ramp_seconds
        """Real seconds a memory leak or a filling disk takes to reach its worst."""
        self._seconds = {(cpu, mode): 0.0 for cpu in CPUS for mode in NORMAL_CPU}
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def _advance(self) -> None:
        now = time.monotonic()
        shares = BUSY_CPU if self.faults.active(Fault.CPU, self.name) else NORMAL_CPU
        for (cpu, mode) in self._seconds:
            self._seconds[cpu, mode] += shares[mode] * (now - self._last)
        self._last = now

    def exposition(self) -> str:
        """The host's series in the Prometheus text format, as of now."""
        with self._lock:
            self._advance()
            seconds = dict(self._seconds)
        busy = self.faults.active(Fault.CPU, self.name)
        now = time.time()
        leaked = (self.faults.progress(Fault.MEMORY_LEAK, self.ramp_seconds, self.name)
                  * (NORMAL_AVAILABLE - LEAKED_AVAILABLE))
        available = (int(MEMORY_TOTAL * EXHAUSTED_AVAILABLE) if self.faults.active(Fault.MEMORY, self.name)
                     else available_memory(now, leaked))
        free = free_disk(now, self.faults.progress(Fault.DISK_FILL, self.ramp_seconds, self.name))
        lines = ["# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
                 "# TYPE node_cpu_seconds_total counter"]
        lines += [f'node_cpu_seconds_total{{cpu="{cpu}",mode="{mode}"}} {value:.3f}'
                  for (cpu, mode), value in sorted(seconds.items())]
        lines += ["# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.",
                  "# TYPE node_memory_MemTotal_bytes gauge",
                  f"node_memory_MemTotal_bytes {MEMORY_TOTAL}",
                  "# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.",
                  "# TYPE node_memory_MemAvailable_bytes gauge",
                  f"node_memory_MemAvailable_bytes {available}",
                  "# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.",
                  "# TYPE node_filesystem_avail_bytes gauge",
                  f"node_filesystem_avail_bytes{{{DISK_LABELS}}} {free}",
                  "# HELP node_filesystem_size_bytes Filesystem size in bytes.",
                  "# TYPE node_filesystem_size_bytes gauge",
                  f"node_filesystem_size_bytes{{{DISK_LABELS}}} {DISK_SIZE}",
                  "# HELP node_load1 1m load average.",
                  "# TYPE node_load1 gauge",
                  f"node_load1 {3.8 if busy else 0.6 + wobble(now):.2f}"]
        return "\n".join(lines) + "\n"
