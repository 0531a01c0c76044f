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
    def effect(self) -> str:
        """One line on what the fault changes."""
        return {
            Fault.CPU: "the simulated host runs at 98% CPU (and the demo burns one real core if asked)",
            Fault.MEMORY: "the simulated host has 3% of its memory available",
            Fault.ERRORS: "half of the HTTP requests answer 500",
            Fault.CONVERSION: "1% of sessions convert instead of 12% (revenue falls with them)",
            Fault.REVENUE: "orders are worth a tenth of their usual value",
            Fault.REVENUE_DECLINE: "orders lose value steadily, down to a tenth after 1.5 hours of demo time",
            Fault.MEMORY_LEAK: "the simulated host's available memory drains steadily, to 1% after 1.5 hours",
            Fault.DISK_FILL: "the simulated host's /data fills steadily, full after 1.5 hours",
        }[self]


class Faults:
    """The faults active now; safe to use from every thread."""

    def __init__(self) -> None:
        self._until: dict[Fault, float] = {}
        self._since: dict[Fault, float] = {}
        self._lock = threading.Lock()

    def inject(self, fault: Fault, seconds: float | None = None) -> None:
        """Start showing a fault, for `seconds` or until cleared (a slow fault already shown keeps worsening)."""
        with self._lock:
            now = time.monotonic()
            if self._until.get(fault, 0.0) <= now:
                self._since[fault] = now
            self._until[fault] = now + seconds if seconds else math.inf

    def clear(self, fault: Fault | None = None) -> None:
        """Stop showing one fault, or all of them."""
        with self._lock:
            if fault is None:
                self._until.clear()
            else:
                self._until.pop(fault, None)

    def active(self, fault: Fault) -> bool:
        """Whether a fault is being shown now."""
        with self._lock:
            return self._until.get(fault, 0.0) > time.monotonic()

    def progress(self, fault: Fault, ramp_seconds: float) -> float:
        """How far a slow fault has worsened: 0 when not shown, 1 once shown for ``ramp_seconds`` (real time)."""
        with self._lock:
            now = time.monotonic()
            if self._until.get(fault, 0.0) <= now:
                return 0.0
            return min(1.0, (now - self._since[fault]) / ramp_seconds)

    def state(self) -> dict[str, float | None]:
        """Active faults and the seconds each has left (None: until cleared)."""
        now = time.monotonic()
        with self._lock:
            return {fault.value: (None if until == math.inf else round(until - now, 1))
                    for fault, until in self._until.items() if until > now}
