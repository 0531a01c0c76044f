"""The /metrics body, rendered in the background whenever a result changes or goes stale; HTTP only sends it.

Rendering thousands of samples takes tens of milliseconds in prometheus_client; doing it after each job
run instead of at each scrape keeps a scrape at the cost of sending bytes, whatever the number of queries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from generator.exporter.cache import ResultCache
from generator.exporter.http import StartResponse


class Exposition:
    """Holds the rendered exposition; re-renders on invalidate() and when the next cached result expires."""

    def __init__(self, registry: CollectorRegistry, cache: ResultCache,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._registry = registry
        self._cache = cache
        self._clock = clock
        self._changed = threading.Event()
        self._stopped = threading.Event()
        self.body = generate_latest(registry)
        self._thread = threading.Thread(target=self._loop, name="obsgen-render", daemon=True)

    def start(self) -> None:
        """Begin re-rendering in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop re-rendering."""
        self._stopped.set()
        self._changed.set()
        self._thread.join(5)

    def invalidate(self) -> None:
        """Something changed: render again as soon as possible."""
        self._changed.set()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            expiry = self._cache.next_expiry()
            wait = None if expiry is None else max(0.0, expiry - self._clock())
            self._changed.wait(wait)
            self._changed.clear()
            if not self._stopped.is_set():
                self.body = generate_latest(self._registry)  # collecting drops what has gone stale

    def app(self, environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
        """WSGI application: /metrics sends the last rendering, anything else is 404."""
        if environ.get("PATH_INFO") not in ("/metrics", "/"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: try /metrics\n"]
        body = self.body
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [body]
