"""Faults the demo can be told to show, each until cleared or for a number of seconds."""

from __future__ import annotations

import math
import threading
import time
from enum import StrEnum


class Fault(StrEnum):
    """What can go wrong, and what each one does to the demo."""

    CPU = "cpu"
    MEMORY = "memory"
    ERRORS = "errors"
    CONVERSION = "conversion"
    REVENUE = "revenue"

    @property
    def effect(self) -> str:
        """One line on what the fault changes."""
        return {
            Fault.CPU: "the simulated host runs at 98% CPU (and the demo burns one real core if asked)",
            Fault.MEMORY: "the simulated host has 3% of its memory available",
            Fault.ERRORS: "half of the HTTP requests answer 500",
            Fault.CONVERSION: "1% of sessions convert instead of 12% (revenue falls with them)",
            Fault.REVENUE: "orders are worth a tenth of their usual value",
        }[self]


class Faults:
    """The faults active now; safe to use from every thread."""

    def __init__(self) -> None:
        self._until: dict[Fault, float] = {}
        self._lock = threading.Lock()

    def inject(self, fault: Fault, seconds: float | None = None) -> None:
        """Start showing a fault, for `seconds` or until cleared."""
        with self._lock:
            self._until[fault] = time.monotonic() + seconds if seconds else math.inf

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

    def state(self) -> dict[str, float | None]:
        """Active faults and the seconds each has left (None: until cleared)."""
        now = time.monotonic()
        with self._lock:
            return {fault.value: (None if until == math.inf else round(until - now, 1))
                    for fault, until in self._until.items() if until > now}
