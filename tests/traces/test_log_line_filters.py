"""What the LogQL rules' line filters count, on the lines the services really write.

Loki applies a rule's line filters to each line: `|=` and `!=` a case-sensitive substring, `|~` and `!~` an RE2
search (read as Go reads it: core.go_regex, as obsgen's LogQL reader compiles it). A tailed file's line is the
whole JSON object generator.logging_json writes; an OTLP record's line is its body, the formatted message.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket

import pytest

from definitions.logs import RAG_TIMEOUT_LINES
from generator.core.go_regex import compile_go
from generator.logging_json import configure

_FILTER = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"')


def _kept(selector_and_filters: str, line: str) -> bool:
    """Whether the line passes every line filter after the stream selector."""
    filters = selector_and_filters[selector_and_filters.index("}") + 1:]
    found = _FILTER.findall(filters)
    assert found and "".join(f"{op}{value}" for op, value in found).replace(" ", "") == filters.replace(
        " ", "").replace('"', ""), f"only line filters are evaluated here: {filters}"
    for operator, quoted in found:
        text = json.loads(f'"{quoted}"')
        hit = text in line if operator in ("|=", "!=") else compile_go(text).matches(line)
        if hit != (operator in ("|=", "|~")):
            return False
    return True


def _json_line(message: str, error: BaseException | None = None) -> str:
    """The line generator.logging_json writes for logger.error(message) (logger.exception when error is given)."""
    stream = io.StringIO()
    handler = configure("rag-engine", version="7.0.0", stream=stream)
    try:
        logger = logging.getLogger("rag_engine.knowledge_base")
        if error is None:
            logger.error(message)
        else:
            try:
                raise error
            except BaseException:
                logger.exception(message)
    finally:
        logging.getLogger().removeHandler(handler)
    return stream.getvalue().strip()


def _socket_timeout() -> BaseException:
    """The error a socket read past its timeout really raises (an idle listener on 127.0.0.1)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=0.01) as client:
            try:
                client.recv(1)
            except OSError as error:  # its own words, not this file's lines (which name the timeout)
                return error.with_traceback(None)
    raise AssertionError("the read did not time out")


TIMEOUTS = [
    ("TimeoutError's own message", lambda: _json_line("knowledge base query failed", TimeoutError("timed out"))),
    ("a socket read timing out", lambda: _json_line("knowledge base query failed", _socket_timeout())),
    ("a requests-style message", lambda: _json_line("Read timed out. (read timeout=10)")),
    ("a capitalised message (OTLP body)", lambda: "Timeout calling the knowledge base after 10s"),
    ("a lower-case message (OTLP body)", lambda: "knowledge base timeout after 10s"),
]


@pytest.mark.parametrize("line", [make for _, make in TIMEOUTS], ids=[name for name, _ in TIMEOUTS])
def test_rag_engine_timeouts_are_counted_however_python_words_them(line: object) -> None:
    """Python's TimeoutError (socket.timeout, asyncio's, httpx's ReadTimeout say "timed out" too) never writes the
    lower-case word: `|= "timeout"` counted the two lines that happen to hold it, and none of the others."""
    text = line() if callable(line) else str(line)
    assert _kept(RAG_TIMEOUT_LINES, text), text


def test_rag_engine_lines_without_a_timeout_are_not_counted() -> None:
    assert not _kept(RAG_TIMEOUT_LINES, _json_line("knowledge base query failed", ConnectionResetError("reset")))
    assert not _kept(RAG_TIMEOUT_LINES, "answered in 1.2s from 5 documents")
