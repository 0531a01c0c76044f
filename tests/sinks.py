"""Test doubles that are real HTTP servers on loopback: a notification sink and a controllable exporter."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Notification:
    """One POST the sink received."""

    path: str
    body: dict[str, Any]
    received: float


@dataclass
class WebhookSink:
    """Records every webhook POST (Alertmanager webhook, Slack and PagerDuty payloads alike)."""

    url: str
    received: list[Notification] = field(default_factory=list)

    def wait_for(self, predicate: Callable[[Notification], bool], timeout: float) -> Notification:
        """The first notification matching predicate, waiting up to timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for notification in list(self.received):
                if predicate(notification):
                    return notification
            time.sleep(0.05)
        seen = [(n.path, n.body.get("commonLabels")) for n in self.received]
        raise AssertionError(f"no matching notification within {timeout}s; received {seen}")


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def webhook_sink() -> Iterator[WebhookSink]:
    """A webhook receiver on a free loopback port."""
    received: list[Notification] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(Notification(self.path, json.loads(body or b"{}"), time.monotonic()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with _serve(Handler) as url:
        yield WebhookSink(url, received)


@contextmanager
def exposition(render: Callable[[], str]) -> Iterator[str]:
    """A /metrics endpoint serving whatever render() returns at each scrape; yields host:port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = render().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with _serve(Handler) as url:
        yield url.removeprefix("http://")
