"""A compressed answer reads as sent, and a gzip bomb (a megabyte that decodes to a gigabyte) costs a client no more
memory than its bound on an answer: the bound counts decoded bytes, and no more is decoded at once than a piece of
CHUNK, whichever urllib3 is installed. A real HTTP server on loopback answers; for the bomb, the client runs in a
process of its own, which measures its memory peak (tracemalloc: what Python allocated, decoded bodies included)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.servers import serving

ROOT = Path(__file__).resolve().parents[2]
BOUND = 16 * 2**20
"""The client's bound on an answer, low beside what the bomb decodes to."""
DECODED = 2**30
"""What the bomb decodes to."""

CLIENT = """
import json, sys, tracemalloc
from generator.core.http_deadline import DeadlineRetry, deadline_session

url, bound, retries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tracemalloc.start()
retry = DeadlineRetry(total=retries, status_forcelist=[503], backoff_factor=0, raise_on_status=False)
with deadline_session(60.0, bound, retry) as session:
    try:
        outcome = f"read {len(session.get(url, timeout=10).content)} bytes"
    except Exception as error:
        outcome = f"{type(error).__name__}: {error}"
print(json.dumps({"outcome": outcome, "peak": tracemalloc.get_traced_memory()[1]}))
"""


@cache
def bomb() -> bytes:
    """DECODED zero bytes, gzip-compressed (about a thousandth of the size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(2**20)
    return b"".join([*(compressor.compress(block) for _ in range(DECODED // len(block))), compressor.flush()])


def bombing(status: int, answers: list[int]) -> type[BaseHTTPRequestHandler]:
    """A handler answering every GET `status` with the bomb, gzip-encoded, noting each answer's status."""

    class Bomb(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bomb()
            answers.append(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client closed the connection: it stopped reading
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Bomb


def client_run(url: str, retries: int) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", CLIENT, url, str(BOUND), str(retries)], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


@pytest.mark.parametrize(("status", "retries"), [(200, 0), (503, 1)], ids=["answer", "retried-503"])
def test_a_gzip_bomb_costs_no_more_memory_than_the_bound(status: int, retries: int) -> None:
    """The retried 503 is read twice: urllib3 discards the first body before retrying (drain_conn), and the client
    reads the second, the answer its retries end with."""
    assert len(bomb()) < 2**21  # two megabytes on the wire
    answers: list[int] = []
    with serving(bombing(status, answers)) as url:
        run = client_run(f"{url}/api/v1/query", retries)
    assert answers == [status] * (retries + 1)
    assert run["outcome"] == (f"BodyTooLarge: the answer of {url}/api/v1/query is over 16 MiB, the most obsgen "
                              "reads of it: is that the server's URL, and the request what was meant?")
    peak = run["peak"]
    assert isinstance(peak, int), run  # (the message below divides it)
    assert peak < BOUND * 1.25 + 2**20, f"reading it took {peak / 2**20:.0f} MiB"


ANSWER = b'{"status": "success", "data": "' + b"abc" * 50_000 + b'"}'
"""An answer large enough to take several pieces, small enough for every bound."""


def _gzip(data: bytes) -> bytes:
    return zlib.compress(data, wbits=16 + zlib.MAX_WBITS)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def answering(encoding: str, body: bytes, asked: list[str]) -> type[BaseHTTPRequestHandler]:
    """A handler answering every GET 200 with body in Content-Encoding `encoding`, noting what the client accepts."""

    class Encoded(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.headers.get("Accept-Encoding", ""))
            self.send_response(200)
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Encoded


@pytest.mark.parametrize(("encoding", "body"), [
    ("", ANSWER),
    ("identity", ANSWER),
    ("gzip", _gzip(ANSWER)),
    ("x-gzip", _gzip(ANSWER)),
    ("deflate", zlib.compress(ANSWER)),
    ("deflate", _raw_deflate(ANSWER)),  # without the zlib header, as some servers send it
    ("gzip", _gzip(ANSWER[:1000]) + _gzip(ANSWER[1000:])),  # two gzip members, one after the other
    ("gzip, gzip", _gzip(_gzip(ANSWER))),
    ("deflate, GZIP", _gzip(zlib.compress(ANSWER))),
], ids=["none", "identity", "gzip", "x-gzip", "deflate", "raw-deflate", "gzip-members", "gzip-twice", "deflate-gzip"])
def test_a_compressed_answer_reads_as_sent(encoding: str, body: bytes) -> None:
    from generator.core.http_deadline import fetch

    asked: list[str] = []
    with serving(answering(encoding, body, asked)) as url:
        assert fetch("GET", url, 10.0, 2**20, timeout=5.0).content == ANSWER
    assert asked == ["gzip, deflate"]


@pytest.mark.parametrize(("encoding", "body", "says"), [
    ("br", b"\x0b\x02\x80abc\x03", "is in Content-Encoding 'br': obsgen reads gzip, deflate, at most 5 of them one "
                                    "over another"),
    ("gzip", b"\x1f\x8b\x08\x00 not gzip at all", "is not valid gzip: Error -3 while decompressing data: "),
    (", ".join(["gzip"] * 6), _gzip(b"{}"), "is in Content-Encoding 'gzip, gzip, gzip, gzip, gzip, gzip': "),
], ids=["brotli", "broken-gzip", "six-codings"])
def test_an_answer_in_an_encoding_not_read_fails_the_request_naming_it(encoding: str, body: bytes, says: str) -> None:
    import requests

    from generator.core.http_deadline import fetch

    with serving(answering(encoding, body, [])) as url, pytest.raises(
            requests.exceptions.ContentDecodingError) as failed:
        fetch("GET", f"{url}/api/v1/query", 10.0, 2**20, timeout=5.0, params={"query": "up"})
    assert str(failed.value).startswith(f"the answer of {url}/api/v1/query {says}"), str(failed.value)


def test_status_reports_an_answer_in_an_encoding_it_does_not_read_as_the_servers(tmp_path: Path) -> None:
    with serving(answering("br", b"\x0b\x02\x80abc\x03", [])) as url:
        result = subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(ROOT / "out"),
                                 "--prometheus-url", url, "--retries", "0"], capture_output=True, text=True,
                                cwd=tmp_path, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout + result.stderr)[-3000:]
    assert (f"prometheus: GET /metrics answered 200: the answer of {url}/metrics is in Content-Encoding 'br': "
            "obsgen reads gzip, deflate") in result.stdout, result.stdout[-3000:]
