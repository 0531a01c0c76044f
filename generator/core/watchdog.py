"""One thread that runs each of many actions at its own time, by the monotonic clock: the watchdog of every HTTP
request's deadline (core/http_deadline). A timer thread per request, as before, started and ended a thread for
each request (about 130 us of the caller's time, and a thread per request under way); here a request costs a
push on a heap, and one thread, started at the first deadline, serves the whole process.

An action runs in the watchdog's thread, so it must be quick and must not block (shutting a socket down is both):
while it runs, the next deadline waits.
"""

from __future__ import annotations

import heapq
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable

COMPACT_OVER = 1024
"""Cancelled entries the heap keeps before it is rebuilt without them (a cancelled entry otherwise stays until its
time comes, which for an 80 s deadline, at thousands of requests a second, is a heap of hundreds of thousands)."""


class Watchdog:
    """Runs actions at their times (`call_at`) unless cancelled first (`cancel`), in one daemon thread."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked child has no watchdog thread, and maybe a held lock

    def _reset(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._pending: dict[int, Callable[[], object]] = {}
        self._keys = itertools.count()
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, action: Callable[[], object]) -> int:
        """Run action at time.monotonic() `when` (at once if it has passed); the key that cancels it."""
        with self._wake:
            key = next(self._keys)
            self._pending[key] = action
            heapq.heappush(self._heap, (when, key))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="obsgen-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][1] == key:  # earlier than what the thread sleeps until
                self._wake.notify()
        return key

    def cancel(self, key: int) -> None:
        """The action of key will not run (nothing, if it ran already)."""
        with self._wake:
            self._pending.pop(key, None)
            if len(self._heap) > 2 * len(self._pending) + COMPACT_OVER:
                self._heap = [entry for entry in self._heap if entry[1] in self._pending]
                heapq.heapify(self._heap)

    def _due(self) -> Callable[[], object]:
        """Wait for the next action whose time has come, and take it."""
        with self._wake:
            while True:
                while self._heap and self._heap[0][1] not in self._pending:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                when, key = self._heap[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
                return self._pending.pop(key)

    def _run(self) -> None:
        while True:
            action = self._due()
            try:
                action()
            except Exception:  # one action's failure is reported as a thread's would be, and the others still run
                threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), threading.current_thread())))


DEADLINES = Watchdog()
"""The process' watchdog of deadlines."""
