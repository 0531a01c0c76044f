"""SIGTERM and SIGINT as a flag the main thread polls.

The handler only sets an attribute: taking a lock there (threading.Event.set) can deadlock when the
signal lands while the main thread itself holds that lock inside Event.wait.
"""

from __future__ import annotations

import signal
import time
from types import FrameType

POLL_SECONDS = 0.1


class StopRequested:
    """Becomes true on SIGTERM or SIGINT once installed."""

    def __init__(self) -> None:
        self.requested = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds or until a stop is requested; whether one was."""
        deadline = time.monotonic() + timeout
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(POLL_SECONDS, left))
        return self.requested
