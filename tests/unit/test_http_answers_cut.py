"""An answer whose body breaks off before its end (a chunk, a Content-Length or a gzip stream cut short, a reset
mid-body) ends every client obsgen runs with one error naming the URL and what broke: `obsgen status`, `apply` and
`ack` exit 1 without a traceback, the exporter's job reads its source as down, a preview panel shows it. A real HTTP
server on loopback answers, its body cut as a crashing server or a proxy cuts it."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from generator.apply.http import Api, Connection
from generator.core.bounded_http import AnswerCut
from generator.core.http_deadline import fetch
from generator.exporter import prometheus_api
from generator.exporter.jobs import SourceDown
from generator.live import ledger
from generator.live.supervisor import http_ready
from generator.preview import prometheus as preview_prometheus
from generator.preview.queries import Request
from tests.servers import serving

ROOT = Path(__file__).resolve().parents[2]
BODY = b'{"status": "success", "data": {"resultType": "vector", "result": [' + b'{"value": [0, "1"]},' * 5000
"""The start of a JSON answer (never ended: no client may take a cut body for a whole one)."""
GZIPPED = zlib.compress(BODY, wbits=16 + zlib.MAX_WBITS)
SAYS = {
    "chunk": "broke off: 3000 bytes short of the length it announced, the server, or a proxy in front of it, ended "
             "the connection mid-answer",
    "length": "broke off: 50000 bytes short of the length it announced, the server, or a proxy in front of it, "
              "ended the connection mid-answer",
    "gzip": "broke off: its gzip data ends before the end of its compressed stream, the server, or a proxy in front "
            "of it, ended the connection mid-answer",
    "reset": "broke off: the connection broke (Connection reset by peer)",
    "garbled-chunks": "broke off: its chunked encoding is broken (InvalidChunkLength(got length b'zz\\r\\n', 0 bytes "
                      "read))",
}
"""What the error says after "the answer of URL", for each way of cutting a body."""


def cutting(kind: str) -> type[BaseHTTPRequestHandler]:
    """A handler answering every GET and POST 200 with a body cut short, as `kind` says:
    chunk: a chunk of 4000 bytes announced, 1000 sent, the connection closed;
    length: Content-Length announced, 50000 bytes short, the connection closed;
    gzip: a gzip body without a length (ended by closing the connection), closed halfway through;
    reset: Content-Length announced, part of the body sent, then the connection reset (RST);
    garbled-chunks: a chunk size that is not hexadecimal."""

    class Cut(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.close_connection = True
            if kind in ("chunk", "garbled-chunks"):
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"fa0\r\n" + BODY[:1000] if kind == "chunk" else b"zz\r\n" + BODY[:10])
            elif kind == "gzip":
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(GZIPPED[: len(GZIPPED) // 2])
            else:
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY[: len(BODY) - 50_000])
            self.wfile.flush()
            if kind == "reset":
                time.sleep(0.3)  # the client is reading the body by now, not the headers
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()  # SO_LINGER 0: the close sends RST

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Cut


@pytest.mark.parametrize("kind", list(SAYS))
def test_a_cut_answer_fails_the_request_naming_the_url_and_what_broke(kind: str) -> None:
    with serving(cutting(kind)) as url, pytest.raises(AnswerCut) as failed:
        fetch("GET", f"{url}/api/v1/query", 10.0, 2**20, timeout=5.0, params={"query": "up"})
    assert str(failed.value) == f"the answer of {url}/api/v1/query {SAYS[kind]}"


def obsgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args, "--retries", "0"], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("kind", ["chunk", "gzip"])
def test_status_reports_a_cut_answer_as_the_servers(kind: str, tmp_path: Path) -> None:
    with serving(cutting(kind)) as url:
        result = obsgen("status", "--out", str(ROOT / "out"), "--prometheus-url", url, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout + result.stderr)[-3000:]
    assert f"prometheus: GET /metrics: the answer of {url}/metrics {SAYS[kind]}" in result.stdout, result.stdout


def test_apply_stops_at_a_cut_answer_and_copies_nothing(tmp_path: Path) -> None:
    configs = tmp_path / "prometheus"
    configs.mkdir()
    with serving(cutting("chunk")) as url:
        result = obsgen("apply", "--out", str(ROOT / "out"), "--prometheus-url", url, "--prometheus-dir",
                        str(configs), "--grafana-url", url, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout + result.stderr)[-3000:]
    assert f"nothing changed: prometheus: GET /metrics: the answer of {url}/metrics {SAYS['chunk']}" in result.stdout
    assert not list(configs.iterdir())


def test_ack_says_alertmanagers_answer_broke_off(tmp_path: Path) -> None:
    with serving(cutting("chunk")) as url:
        result = obsgen("ack", "--list", "--alertmanager-url", url, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout + result.stderr)[-3000:]
    assert result.stderr.strip() == (f"error: alertmanager: GET /api/v2/silences: the answer of {url}/api/v2/silences "
                                     f"{SAYS['chunk']}")


def test_the_exporter_reads_prometheus_as_down_when_its_answer_breaks_off() -> None:
    with serving(cutting("chunk")) as url, pytest.raises(SourceDown) as failed:
        prometheus_api.PrometheusClient(url, timeout=10).query_range("up", 0, 60, 60)
    assert str(failed.value) == f"the answer of {url}/api/v1/query_range {SAYS['chunk']}"


def test_a_preview_panel_shows_its_answer_broke_off() -> None:
    request = Request("A", "up", instant=False, start=0, end=600, step=60, legend="", format="time_series")
    with serving(cutting("gzip")) as url:
        answer = preview_prometheus.Prometheus(url).ask(request)
    assert answer.error == f"AnswerCut: the answer of {url}/api/v1/query_range {SAYS['gzip']}"


def test_the_live_ledger_fails_naming_the_url() -> None:
    with serving(cutting("length")) as url, pytest.raises(AnswerCut, match=f"the answer of {url}/api/v1/query "):
        ledger.episodes(url, 0, 600, 30)


@pytest.mark.parametrize("given", ["admin:s3cret@localhost:9090", "localhost:9090", "ftp://h", "http://[::1",
                                   "http://h:99999", "http://"])
def test_a_url_no_request_can_use_is_refused_naming_the_server_and_no_password(given: str) -> None:
    """Before, requests' own error (No connection adapters were found for 'admin:s3cret@localhost:9090/metrics')
    ended the command, the password in it."""
    with pytest.raises(ValueError) as refused:
        Api(Connection("prometheus", given))
    shown = given.rstrip("/").rpartition("@")[2]
    assert str(refused.value) == f"prometheus URL {shown!r} is not an http:// or https:// URL with a host"


def test_a_readiness_probe_reads_the_status_of_a_cut_answer_only() -> None:
    """`obsgen up` waits on probes that read the status alone: a body cut short is never read, and never raised."""
    with serving(cutting("chunk")) as url:
        assert http_ready(f"{url}/-/ready")() is True
