"""The /metrics endpoint: waitress, so no client can hold a thread, with every limit stated here.

Waitress reads and buffers each request in one event loop and hands only complete requests to a fixed
pool of workers; a client that connects and sends nothing, or stops half-way, costs a socket until the
idle timeout, never a thread. prometheus_client's own server starts a thread per connection with no
timeout and a listen backlog of 5.
"""

from __future__ import annotations

import logging
import resource
import threading
from collections.abc import Callable, Iterable

from waitress.server import TcpWSGIServer, create_server

StartResponse = Callable[[str, list[tuple[str, str]]], object]
WsgiApp = Callable[[dict[str, object], StartResponse], Iterable[bytes]]

WORKERS = 4  # sending a rendered body takes microseconds: a handful of workers serve hundreds of scrapers
BACKLOG = 1024  # connections the kernel queues while the loop is busy (prometheus_client: 5)
CONNECTION_LIMIT = 2048  # open sockets at once; beyond it waitress stops accepting until some close
IDLE_TIMEOUT = 10  # seconds a connection may stay silent, mid-request or between keep-alive requests
SWEEP_INTERVAL = 1  # seconds between two closings of silent connections
FILE_RESERVE = 64  # descriptors kept for databases, logs and the listening socket

logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" warnings under load


def _allow_open_files(wanted: int) -> None:
    """Raise the soft limit on open files towards `wanted` (as Go's runtime does): 1024 is a common default."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < ceiling:
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


class HttpServer:
    """A waitress server running in a background thread; close() stops it."""

    def __init__(self, app: WsgiApp, host: str, port: int, idle_timeout: int = IDLE_TIMEOUT) -> None:
        _allow_open_files(CONNECTION_LIMIT + FILE_RESERVE)
        server = create_server(
            app, host=host, port=port, threads=WORKERS, backlog=BACKLOG, connection_limit=CONNECTION_LIMIT,
            channel_timeout=idle_timeout, cleanup_interval=SWEEP_INTERVAL, asyncore_use_poll=True,
            ident="obsgen-exporter", clear_untrusted_proxy_headers=True)
        assert isinstance(server, TcpWSGIServer)  # one host:port, so one TCP server
        self._server = server
        self._thread = threading.Thread(target=server.run, name="obsgen-http", daemon=True)

    @property
    def port(self) -> int:
        """The port it listens on (the one the kernel chose when asked for port 0)."""
        return int(self._server.getsockname()[1])

    def start(self) -> None:
        """Begin serving."""
        self._thread.start()

    def close(self) -> None:
        """Stop accepting, close every connection, stop the workers."""
        self._server.close()
        self._server.task_dispatcher.shutdown()
        self._thread.join(5)
