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
    def on_host(self) -> bool:
        """Whether it shows on one simulated host (named when injected) rather than on the shop."""
        return self in (Fault.CPU, Fault.MEMORY)

    @property
    def effect(self) -> str:
        """One line on what the fault changes."""
        return {
            Fault.CPU: "a simulated host runs at 98% CPU (and the demo burns one real core if asked)",
            Fault.MEMORY: "a simulated host has 3% of its memory available",
            Fault.ERRORS: "half of the HTTP requests answer 500",
            Fault.CONVERSION: "1% of sessions convert instead of 12% (revenue falls with them)",
            Fault.REVENUE: "orders are worth a tenth of their usual value",
        }[self]


class Faults:
    """The faults active now, each on the shop ("") or on one simulated host; safe to use from every thread."""

    def __init__(self) -> None:
        self._until: dict[tuple[Fault, str], float] = {}
        self._lock = threading.Lock()

    def inject(self, fault: Fault, seconds: float | None = None, host: str = "") -> None:
        """Start showing a fault (on a host, for host faults), for `seconds` or until cleared."""
        with self._lock:
            self._until[fault, host] = time.monotonic() + seconds if seconds else math.inf

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

    def state(self) -> dict[str, float | None]:
        """Active faults ("cpu@simulated-host" for one on a host) and the seconds each has left (None: until
        cleared)."""
        now = time.monotonic()
        with self._lock:
            return {f"{fault.value}@{host}" if host else fault.value:
                    (None if until == math.inf else round(until - now, 1))
                    for (fault, host), until in self._until.items() if until > now}
