"""A deadline on the whole of one HTTP request: connecting, every retry, every redirect, the body, by the wall clock.

requests' timeout bounds each wait for bytes, not the exchange: a server sending one byte a second, or a body that
never ends, keeps every read within it. urllib3 also reads a retried answer's body to its end (drain_conn) before
retrying (a 503 from a proxy), out of reach of any response hook. So a session from `deadline_session` gives each
request's deadline to the process' watchdog (core/watchdog, one thread for all requests); when it passes, the
watchdog shuts down the request's sockets (a read blocked in another thread returns at once) and the request raises
DeadlinePassed, naming the URL, whatever the cut left behind (a body read to the cut looks complete when the server
gave no length). The sockets are found by the connection classes this module gives urllib3's pools, which register
each one with the request running in their thread.

A safe request (GET, HEAD) whose answer breaks off mid-body (AnswerCut: a restarting server or proxy) is made again,
within the same deadline and the same urllib3 Retry as a refused connection: the retries its attempts used up, the
same backoff. urllib3 reads no body (requests asks it not to) and so never sees the cut; the session does, and hands
the retries left to the next attempt's pool. Any other request is not made again: the server may have acted on it.

The deadline ends at the return of session.request: a request made with stream=True (a readiness probe reading the
status only) is bounded up to its headers, and its caller reads the rest of the body, if it does, on its own.
"""

from __future__ import annotations

import contextvars
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.poolmanager import PoolManager
from urllib3.util.retry import Retry

from generator.core.bounded_http import AnswerCut, capped, shown_url
from generator.core.http_decoding import ACCEPTED
from generator.core.watchdog import DEADLINES
from generator.core.wording import counted


def deadline_for(timeout: float, attempts: int = 1) -> float:
    """The deadline of a request whose client waits `timeout` seconds for a connection and for each answer, made at
    most `attempts` times: per attempt, the timeout to connect and get the headers, and as much again to read the
    body (64 MiB in 10 s is 6.4 MiB/s; a server much slower than that is not one to wait for)."""
    return 2 * timeout * attempts


class DeadlinePassed(requests.Timeout):
    """A request did not end within its deadline; a Timeout, so that whatever gives up on a request that timed out
    (a readiness probe, a query's job) gives up on this one too."""

    def __init__(self, url: str, deadline: float, why: str = "") -> None:
        self.url = shown_url(url)
        self.deadline = deadline
        super().__init__(f"{self.url} did not finish answering within {deadline:g} s, the longest obsgen waits for "
                         f"one request, retries and body included{why}")


class Exchange:
    """One request under way: its deadline, and the sockets it uses, shut down when the deadline passes."""

    def __init__(self, url: str, deadline: float) -> None:
        self.url = url
        self.deadline = deadline
        self.ends = time.monotonic() + deadline
        self.expired = False
        self.why = ""
        """What ended it early, for the message."""
        self.resumed: Retry | None = None
        """The retries left after an attempt whose answer broke off: the next attempt starts from them (_Resumed)."""
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def watch(self, sock: socket.socket | None) -> None:
        """Shut sock's connection down at the deadline (now, if it has passed). Through a descriptor of its own:
        shutdown acts on the connection, not on one descriptor, and this one outlives the wrapping of a plain
        socket in TLS (which detaches the plain one during the handshake) and is never read by another thread."""
        if sock is None:
            return
        try:
            copy = socket.socket(fileno=os.dup(sock.fileno()))
        except OSError:  # closed meanwhile: nothing to shut
            return
        with self._lock:
            self._sockets.append(copy)
            if self.expired:
                _shut(copy)

    def close(self) -> None:
        """Close the descriptors kept for the shutdown (the connections stay open, in their pool)."""
        with self._lock:
            for copy in self._sockets:
                copy.close()
            self._sockets.clear()

    def expire(self) -> None:
        """The deadline passed: every socket of the request stops, reads blocked on it return."""
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def passed(self) -> DeadlinePassed:
        return DeadlinePassed(self.url, self.deadline, self.why)

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


CURRENT: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("obsgen_http_exchange", default=None)
"""The request running in this thread (requests runs a request wholly in the thread that makes it)."""


def _watch(sock: socket.socket | None) -> None:
    exchange = CURRENT.get()
    if exchange is not None:
        exchange.watch(sock)


class _Watched:
    """Registers its socket with the request under way: when it is made, and when a kept-alive one is used again."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)  # a TLS connection is connected (and wrapped) before; a plain one may be None yet
        super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _Resumed:
    """Starts the retries of a request made again after a cut answer where its last attempt left them, not afresh:
    one budget for the request. Only the first urlopen takes them; urllib3's own retries pass theirs down."""

    def urlopen(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        exchange = CURRENT.get()
        if exchange is not None and exchange.resumed is not None:
            kwargs["retries"], exchange.resumed = exchange.resumed, None
        return super().urlopen(method, url, *args, **kwargs)  # type: ignore[misc]


class WatchedHTTPPool(_Resumed, HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(_Resumed, HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


WATCHED_POOLS = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


class DeadlineRetry(Retry):
    """urllib3's Retry, which never sleeps past the deadline: a Retry-After beyond it ends the request at once."""

    def sleep(self, response: Any = None) -> None:
        exchange = CURRENT.get()
        if exchange is None:
            return super().sleep(response)
        wait = (self.get_retry_after(response) if self.respect_retry_after_header and response else None)
        wait = self.get_backoff_time() if wait is None else wait
        if wait >= exchange.remaining():
            exchange.why = f" (asked to retry in {wait:g} s)"
            exchange.expire()  # requests wraps what is raised here (an OSError) in a ConnectionError
            raise DeadlinePassed(exchange.url, exchange.deadline, exchange.why)
        time.sleep(wait)


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose pools use the watched connections."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS  # an attribute of its own: urllib3's stays as it is

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager


class DeadlineSession(requests.Session):
    """A session each request of which ends by `deadline` seconds (request(..., deadline=) for one of them)."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def request(self, method: str | bytes, url: str | bytes, *args: Any, deadline: float | None = None,
                **kwargs: Any) -> requests.Response:
        with exchange_for(str(url), self.deadline if deadline is None else deadline) as exchange:
            while True:
                try:
                    response = super().request(method, url, *args, **kwargs)
                    break
                except requests.RequestException as error:
                    if exchange.expired:
                        raise exchange.passed() from error
                    if not isinstance(error, AnswerCut):
                        raise
                    exchange.resumed = self._retries_after(method, str(url), error)
        if exchange.expired:  # cut, yet seemingly complete: a body without a length ends where the cut came
            response.close()
            raise exchange.passed()
        return response

    def _retries_after(self, method: str | bytes, url: str, cut: AnswerCut) -> Retry:
        """The retries left once the backoff after `cut` is slept, if a safe request has some; else raises cut, told
        why it was not retried when it could have been. Counted by urllib3's Retry as the read error it is (a
        ProtocolError, what urllib3 raises for a body it reads cut), so Retry(read=False) and allowed_methods hold."""
        verb = (method.decode() if isinstance(method, bytes) else method).upper()
        retries = getattr(cut.response.raw if cut.response is not None else None, "retries", None)
        if not isinstance(retries, Retry):  # not urllib3's response (another adapter): no retries to go by
            raise cut
        attempts = len(retries.history) + 1
        try:  # for an unsafe request, whether a safe one would have been retried: if not, there is nothing to say
            retries = retries.increment(verb if verb in SAFE_METHODS else "GET", url, error=ProtocolError(cut.why))
        except (MaxRetryError, ProtocolError):  # spent, or none for reads: the cut is the answer
            if attempts == 1:
                raise cut from cut.__cause__
            raise cut.after(f"{counted(attempts, 'attempt')}, the retries spent") from cut
        if verb not in SAFE_METHODS:
            raise cut.after(f"a {verb} is not retried: the server may have acted on it before its answer broke off")
        retries.sleep()  # a DeadlineRetry's: never past the deadline
        return retries


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
"""RFC 9110's safe methods (section 9.2.1): made again when their answer breaks off. A PUT or DELETE is idempotent,
yet what broke off may be the answer to a change made: it is reported, not made again."""


@contextmanager
def exchange_for(url: str, deadline: float) -> Iterator[Exchange]:
    """An Exchange current in this thread, expired by the watchdog at its deadline unless the block ends before."""
    exchange = Exchange(url, deadline)
    token = CURRENT.set(exchange)
    watch = DEADLINES.call_at(exchange.ends, exchange.expire)
    try:
        yield exchange
    finally:
        DEADLINES.cancel(watch)
        CURRENT.reset(token)
        exchange.close()


def deadline_session(deadline: float, max_bytes: int, retry: Retry | int = 0) -> DeadlineSession:
    """A session whose requests end by `deadline` seconds and read at most max_bytes of an answer (BodyTooLarge);
    retry: urllib3's retries (a DeadlineRetry, which keeps its sleeps within the deadline)."""
    session = DeadlineSession(deadline)
    session.headers["Accept-Encoding"] = ACCEPTED  # what capped decodes
    session.hooks["response"].append(capped(max_bytes))
    adapter = DeadlineAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def fetch(method: str, url: str, deadline: float, max_bytes: int, **kwargs: Any) -> requests.Response:
    """One request with a session of its own (as requests.get makes one), ending by deadline, read within max_bytes."""
    with deadline_session(deadline, max_bytes) as session:
        return session.request(method, url, **kwargs)
