"""Ending a SQL run from another thread: a watchdog when the database stops answering, the scheduler on shutdown.

A server that stops answering (a frozen VM, a storage stall, a host lost without a reset) cannot enforce its
own statement_timeout, and psycopg waits on the socket without a bound: the run is ended from outside by
shutting the socket down, which wakes the blocked wait with an error. The server does not read the socket
while it computes, so it would run the statement on for nobody until its statement_timeout: it is also sent
libpq's cancel request, on a connection of its own, from a thread of its own (a frozen server never answers
it, and the run must not wait for that). A SQLite run is ended with sqlite3's own thread-safe interrupt().
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg.pq.abc import PGcancelConn, PGconn

log = logging.getLogger("obsgen.exporter")
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
        """End the run's statements now, on the server too; the run sees its driver raise."""
        with self._lock:
            if self._ended or self.reason:
                return
            self.reason = reason
            if isinstance(self._connection, sqlite3.Connection):
                self._connection.interrupt()
                return
            pgconn = getattr(self._connection, "pgconn", None)
            if pgconn is None:
                return
            request = _cancel_request(pgconn)  # made before the run may close its connection: it holds no reference
            if pgconn.socket >= 0:
                with socket.socket(fileno=os.dup(pgconn.socket)) as duplicate:
                    duplicate.shutdown(socket.SHUT_RDWR)  # the socket, not the descriptor: the driver's wakes up
        if request is not None:
            threading.Thread(target=_send, args=(request,), name="obsgen-cancel", daemon=True).start()

    def end(self) -> None:
        """The run no longer uses the connection (before it is closed)."""
        with self._lock:
            self._ended = True


def _cancel_request(pgconn: PGconn) -> PGcancelConn | None:
    """libpq's cancel request for the statement running on `pgconn`; None when libpq is older than 17 (the server
    then ends the statement once it notices the closed socket, see sql.CHECK_CLIENT_MS) or the connection is
    gone."""
    import psycopg  # an optional dependency (obsgen[postgresql]), loaded already since there is a pgconn

    try:
        return pgconn.cancel_conn()
    except psycopg.Error:
        return None


def _send(request: PGcancelConn) -> None:
    """Send a cancel request; libpq bounds it by the connection's connect_timeout."""
    import psycopg  # see _cancel_request

    try:
        request.blocking()
    except psycopg.Error as error:  # the server is down or frozen: there is nothing left to cancel, or it cannot
        log.debug("cancel request not delivered: %s", error)
    finally:
        request.finish()


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
