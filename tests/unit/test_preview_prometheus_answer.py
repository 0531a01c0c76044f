"""The preview's Prometheus client reads a panel query's answer and a variable query's in one place: an answer that
is JSON but not a Prometheus API object is that query's error, never a traceback."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from generator.preview.prometheus import LookupFailed, Prometheus
from generator.preview.queries import Request
from tests.servers import answer_json, serving


class _List(BaseHTTPRequestHandler):
    """A server answering every request with HTTP 200 and a JSON array, as no Prometheus API does."""

    def do_GET(self) -> None:
        answer_json(self, 200, ["not", "an", "object"])

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


def test_a_panel_query_answered_by_a_json_array_is_the_querys_error() -> None:
    with serving(_List) as url:
        prometheus = Prometheus(url)
        try:
            answer = prometheus.ask(Request("A", "up", True, 0.0, 60.0, 15.0, "", "time_series"))
        finally:
            prometheus.close()
    assert answer.error == "HTTP 200"
    assert not answer.result


def test_a_variable_query_answered_by_a_json_array_fails_naming_the_status() -> None:
    with serving(_List) as url:
        prometheus = Prometheus(url)
        try:
            with pytest.raises(LookupFailed, match=r"^HTTP 200$"):
                prometheus.metadata("/api/v1/labels", ())
        finally:
            prometheus.close()
