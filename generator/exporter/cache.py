"""The results of the exporter's background jobs, kept until they are replaced or grow stale."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]


def labels_of(mapping: Mapping[str, str]) -> Labels:
    """Labels in a canonical, hashable form (sorted by name)."""
    return tuple(sorted(mapping.items()))


def label_text(labels: Labels) -> str:
    """Labels as a selector writes them, without the braces: name="value",... (for messages and reports)."""
    return ",".join(f'{name}="{value}"' for name, value in labels)


@dataclass(frozen=True)
class Sample:
    """One exported sample: metric family, labels and value."""

    family: str
    labels: Labels
    value: float


@dataclass(frozen=True)
class _Entry:
    samples: tuple[Sample, ...]
    updated: float
    stale_after: float


class ResultCache:
    """Samples per job; a job's samples are served until `stale_after` seconds after they were computed.

    A scrape only reads this cache, so it never waits for a database or for Prometheus. A stale entry
    is dropped, never served: a job that keeps failing makes its series disappear.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def put(self, job: str, samples: Iterable[Sample], stale_after: float) -> None:
        """Replace a job's samples with a fresh result."""
        entry = _Entry(tuple(samples), self._clock(), stale_after)
        with self._lock:
            self._entries[job] = entry

    def drop(self, job: str) -> None:
        """Forget a job's samples: its source is down, so its series must disappear now."""
        with self._lock:
            self._entries.pop(job, None)

    def fresh(self) -> dict[str, tuple[Sample, ...]]:
        """Samples of every job whose result is not stale, by job; stale results are forgotten."""
        now = self._clock()
        with self._lock:
            for job in [job for job, e in self._entries.items() if now - e.updated >= e.stale_after]:
                del self._entries[job]
            return {job: entry.samples for job, entry in self._entries.items()}

    def next_expiry(self) -> float | None:
        """Clock time at which the oldest result goes stale, None when nothing is cached."""
        with self._lock:
            return min((e.updated + e.stale_after for e in self._entries.values()), default=None)
