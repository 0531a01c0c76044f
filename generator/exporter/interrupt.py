"""Ending a SQL run from another thread: a watchdog when the database stops answering, the scheduler on shutdown.

A server that stops answering (a frozen VM, a storage stall, a host lost without a reset) cannot enforce its
own statement_timeout, and psycopg waits on the socket without a bound: the run is ended from outside by
shutting the socket down, which wakes the blocked wait with an error. A SQLite run is ended with
sqlite3's own thread-safe interrupt().
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

UNANSWERED = "unanswered"
"""Why a run was cut: its database did not answer within the run's limit."""
STOPPING = "stopping"
"""Why a run was cut: the exporter is stopping."""


class RunInterrupt:
    """The driver connection a run is using, which another thread may cut once; never after the run ended,
    so a closed connection's file descriptor, which the process may have reused, is never touched."""

    def __init__(self, driver_connection: object) -> None:
        self._connection = driver_connection
        self._lock = threading.Lock()
        self._ended = False
        self.reason = ""
        """Why the run was cut ("" if it was not)."""

    def cut(self, reason: str) -> None:
        """End the run's statements now; the run sees its driver raise."""
        with self._lock:
            if self._ended or self.reason:
                return
            self.reason = reason
            if isinstance(self._connection, sqlite3.Connection):
                self._connection.interrupt()
                return
            descriptor = getattr(getattr(self._connection, "pgconn", None), "socket", -1)
            if descriptor >= 0:
                with socket.socket(fileno=os.dup(descriptor)) as duplicate:
                    duplicate.shutdown(socket.SHUT_RDWR)  # the socket, not the descriptor: the driver's wakes up

    def end(self) -> None:
        """The run no longer uses the connection (before it is closed)."""
        with self._lock:
            self._ended = True


@contextmanager
def watchdog(run: RunInterrupt, seconds: float) -> Iterator[None]:
    """Cut the run as UNANSWERED if it is still going after `seconds`."""
    timer = threading.Timer(seconds, run.cut, args=(UNANSWERED,))
    timer.daemon = True
    timer.name = "obsgen-watchdog"
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
