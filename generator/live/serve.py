"""Small HTTP servers of the live stack: JSON answers, and serving until SIGTERM."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from generator.core.untrusted import load_json

T = TypeVar("T")

MAX_BODY_BYTES = 4 * 2**20
"""Largest request body read. Alertmanager's webhook JSON is about 1 KiB an alert (its labels, annotations and
URLs), so 4 MiB hold a group of thousands; the live stack's groups hold a few alerts, and the demo's and the
sinks' orders a line. A client claiming more is answered 413 without a byte of its body read."""
BODY_TIMEOUT = 10.0
"""Seconds to wait for each part of a request body: a client that claims a length and sends nothing, or a byte at
a time, does not hold a thread of the server for ever."""


class Handler(BaseHTTPRequestHandler):
    """A request handler that answers JSON or text and keeps quiet in the log; it reads a request's body within
    MAX_BODY_BYTES (413 past it) and its Content-Length must be a number (400 otherwise)."""

    def parse_request(self) -> bool:
        """The request line and headers, then the declared length checked before any do_* method reads the body
        (http.server calls this before them; an error sent here ends the request and closes the connection)."""
        if not super().parse_request():
            return False
        declared = self.headers.get("Content-Length")
        if declared is not None and not declared.strip().isdigit():
            self.send_error(400, "Content-Length is not a number of bytes")
            return False
        if declared is not None and int(declared) > MAX_BODY_BYTES:
            self.send_error(413, f"the body is over {MAX_BODY_BYTES // 2**20} MiB, the most this server reads")
            return False
        return True

    def read_body(self) -> bytes:
        """The request's body: Content-Length bytes (checked by parse_request), each read within BODY_TIMEOUT."""
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return b""
        self.connection.settimeout(BODY_TIMEOUT)  # a timeout ends the request (http.server closes the connection)
        try:
            return self.rfile.read(length)
        finally:
            self.connection.settimeout(None)

    def reply(self, status: int, body: Any = None, content_type: str = "application/json") -> None:
        """Send a complete response; dicts and lists are sent as JSON."""
        data = body.encode() if isinstance(body, str) else json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self) -> Any:
        """The request body parsed as JSON within core.untrusted's bounds ({} when empty); ValueError otherwise."""
        raw = self.read_body()
        return load_json(raw.decode()) if raw.strip() else {}

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_until_terminated(server: ThreadingHTTPServer) -> None:
    """Serve in this thread until SIGTERM or SIGINT, then close the socket."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.server_close()


def listening(name: str, port: int, make: Callable[[], T]) -> T:
    """The server make() binds on 127.0.0.1:port; a port it cannot take ends the process with one line saying why
    (the start that launched it reads "address already in use" there and chooses ports anew), not a traceback."""
    try:
        return make()
    except OSError as error:
        raise SystemExit(f"{name}: cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from None
