"""The logging helper: JSON lines carrying the active span's trace context and the plan's attributes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from generator.logging_json import REQUEST_ATTRIBUTES, configure, log_context
from generator.model.logs import LOG_FIELDS


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Root logger writing JSON lines into a buffer; the handler is removed afterwards."""
    buffer = io.StringIO()
    handler = configure("api", version="7.0.0", stream=buffer)
    try:
        yield buffer
    finally:
        logging.getLogger().removeHandler(handler)


def _records(buffer: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_lines_inside_a_span_carry_its_trace_and_the_required_attributes(lines: io.StringIO) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("checkout")
    log = logging.getLogger("shop.checkout")
    with tracer.start_as_current_span("POST /api/checkout") as span, \
            log_context(user_id="u-42", session_id="s-7", request_id="r-1"):
        log.info("order %s paid", "o-9")
        log.error("payment provider slow", extra={"request_id": "r-2"})
    context = span.get_span_context()
    records = _records(lines)
    assert len(records) == 2
    for record in records:
        assert set(record) == set(LOG_FIELDS) | set(REQUEST_ATTRIBUTES)
        assert record["trace_id"] == f"{context.trace_id:032x}"
        assert record["span_id"] == f"{context.span_id:016x}"
        assert (record["service"], record["service_version"]) == ("api", "7.0.0")
        assert (record["user_id"], record["session_id"]) == ("u-42", "s-7")
    assert [r["request_id"] for r in records] == ["r-1", "r-2"]  # extra= wins over the block's value
    assert records[0]["message"] == "order o-9 paid" and records[1]["level"] == "ERROR"
    finished = exporter.get_finished_spans()[0]
    assert finished.attributes is not None and finished.attributes["user_id"] == "u-42"  # the span carries them too


def test_lines_outside_a_span_mark_what_is_missing(lines: io.StringIO) -> None:
    logging.getLogger("shop").warning("no request here")
    record = _records(lines)[0]
    assert record["trace_id"] == "" and record["span_id"] == ""
    assert {record[name] for name in REQUEST_ATTRIBUTES} == {"unknown"}
    assert record["timestamp"].endswith("Z") and len(record["timestamp"]) == len("2026-01-01T00:00:00.000Z")
