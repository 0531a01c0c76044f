"""JSON log lines correlated with traces, for Python services: `configure("api", version="7.0.0")`.

Each record becomes one JSON object with the fields of generator.model.logs.LOG_FIELDS, the trace_id
and span_id of the span active when it was written (OpenTelemetry, the `tracing` extra), the
service's version and the plan's request attributes. Attributes come from the record's `extra`, then
from an enclosing `log_context(...)` block, then from the active span; a missing one is written as
"unknown", the value the collector inserts on spans, so the gap is visible rather than silent.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from generator.model.tracing import MISSING_VALUE

REQUEST_ATTRIBUTES = ("user_id", "session_id", "request_id")
"""The plan's per-request attributes (TRACING_CONFIG["attributes"] without service_version)."""

_CONTEXT: ContextVar[dict[str, str]] = ContextVar("obsgen_log_context", default={})  # noqa: B039 (never mutated)


def _active_span() -> Any:
    """The current OpenTelemetry span, or None when opentelemetry-api is not installed."""
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    return trace.get_current_span()


def _trace_ids(span: Any) -> tuple[str, str]:
    if span is None:
        return "", ""
    context = span.get_span_context()
    if not context.is_valid:
        return "", ""
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line carrying the active trace context and the request attributes."""

    def __init__(self, service: str, version: str = "", attributes: Sequence[str] = REQUEST_ATTRIBUTES) -> None:
        super().__init__()
        self.service = service
        self.version = version or MISSING_VALUE
        self.attributes = tuple(attributes)

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line of one record."""
        span = _active_span()
        trace_id, span_id = _trace_ids(span)
        timestamp = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        line: dict[str, Any] = {
            "timestamp": timestamp.replace("+00:00", "Z"),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "service": self.service,
            "trace_id": trace_id,
            "span_id": span_id,
            "service_version": self.version,
        }
        context = _CONTEXT.get()
        span_attributes = getattr(span, "attributes", None) or {}
        for name in self.attributes:
            value = getattr(record, name, None) or context.get(name) or span_attributes.get(name)
            line[name] = str(value) if value else MISSING_VALUE
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


@contextmanager
def log_context(**attributes: str) -> Iterator[None]:
    """Attach request attributes to every log line written in the block, and to the active span."""
    token = _CONTEXT.set({**_CONTEXT.get(), **attributes})
    span = _active_span()
    if span is not None and span.is_recording():
        span.set_attributes(attributes)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def configure(service: str, version: str = "", attributes: Sequence[str] = REQUEST_ATTRIBUTES,
              level: int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """Send the root logger's records as JSON lines to stream (stdout by default); returns the handler."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(service, version, attributes))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
