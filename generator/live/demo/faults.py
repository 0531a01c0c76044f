"""Faults the demo can be told to show, each until cleared or for a number of seconds.

Most faults switch on at once. The slow ones (a gradual revenue decline, a memory leak, a filling disk)
worsen steadily from the moment they are injected and reach their worst after ``SLOW_RAMP_SECONDS`` of
the demo's time: the kind of problem a forecast can see coming before a threshold is crossed.
"""

from __future__ import annotations

import math
import threading
import time
from enum import StrEnum

SLOW_RAMP_SECONDS = 1.5 * 3600.0
"""Demo time a slow fault takes to reach its worst (90 real seconds in a 60x faster live stack)."""


class Fault(StrEnum):
    """What can go wrong, and what each one does to the demo."""

    CPU = "cpu"
    MEMORY = "memory"
    ERRORS = "errors"
    CONVERSION = "conversion"
    REVENUE = "revenue"
    REVENUE_DECLINE = "revenue-decline"
    MEMORY_LEAK = "memory-leak"
    DISK_FILL = "disk-fill"

    @property
    def on_host(self) -> bool:
        """Whether it shows on one simulated host (named when injected) rather than on the shop."""
        return self in (Fault.CPU, Fault.MEMORY, Fault.MEMORY_LEAK, Fault.DISK_FILL)

    @property
    def effect(self) -> str:
        """One line on what the fault changes."""
        return {
            Fault.CPU: "a simulated host runs at 98% CPU (and the demo burns one real core if asked)",
            Fault.MEMORY: "a simulated host has 3% of its memory available",
            Fault.ERRORS: "half of the HTTP requests answer 500",
            Fault.CONVERSION: "1% of sessions convert instead of 12% (revenue falls with them)",
            Fault.REVENUE: "orders are worth a tenth of their usual value",
            Fault.REVENUE_DECLINE: "orders lose value steadily, down to a tenth after 1.5 hours of demo time",
            Fault.MEMORY_LEAK: "a simulated host's available memory drains steadily, to 1% after 1.5 hours",
            Fault.DISK_FILL: "a simulated host's /data fills steadily, full after 1.5 hours",
        }[self]


class Faults:
    """The faults active now, each on the shop ("") or on one simulated host; safe to use from every thread."""

    def __init__(self) -> None:
        self._until: dict[tuple[Fault, str], float] = {}
        self._since: dict[tuple[Fault, str], float] = {}
        self._lock = threading.Lock()

    def inject(self, fault: Fault, seconds: float | None = None, host: str = "") -> None:
        """Start showing a fault (on a host, for host faults), for `seconds` or until cleared (a slow fault
        already shown keeps worsening)."""
        with self._lock:
            now = time.monotonic()
            if self._until.get((fault, host), 0.0) <= now:
                self._since[fault, host] = now
            self._until[fault, host] = now + seconds if seconds else math.inf

    def clear(self, fault: Fault | None = None, host: str | None = None) -> None:
        """Stop showing one fault (on one host, or on all), or all of them."""
        with self._lock:
            for key in [key for key in self._until if (fault is None or key[0] is fault)
                        and (host is None or key[1] == host)]:
                del self._until[key]

    def active(self, fault: Fault, host: str | None = "") -> bool:
        """Whether a fault is being shown now (on that host; on any, for host None)."""
        now = time.monotonic()
        with self._lock:
            return any(until > now for (shown, on), until in self._until.items()
                       if shown is fault and (host is None or on == host))

    def progress(self, fault: Fault, ramp_seconds: float, host: str = "") -> float:
        """How far a slow fault has worsened (on that host): 0 when not shown, 1 once shown for
        ``ramp_seconds`` (real time)."""
        with self._lock:
            now = time.monotonic()
            if self._until.get((fault, host), 0.0) <= now:
                return 0.0
            return min(1.0, (now - self._since[fault, host]) / ramp_seconds)

    def state(self) -> dict[str, float | None]:
        """Active faults ("cpu@simulated-host" for one on a host) and the seconds each has left (None: until
        cleared)."""
        now = time.monotonic()
        with self._lock:
            return {f"{fault.value}@{host}" if host else fault.value:
                    (None if until == math.inf else round(until - now, 1))
                    for (fault, host), until in self._until.items() if until > now}
