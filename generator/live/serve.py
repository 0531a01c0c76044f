"""Small HTTP servers of the live stack: JSON answers, and serving until SIGTERM."""

from __future__ import annotations

import json
import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Handler(BaseHTTPRequestHandler):
    """A request handler that answers JSON or text and keeps quiet in the log."""

    def reply(self, status: int, body: Any = None, content_type: str = "application/json") -> None:
        """Send a complete response; dicts and lists are sent as JSON."""
        data = body.encode() if isinstance(body, str) else json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self) -> Any:
        """The request body parsed as JSON ({} when empty)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else {}

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
