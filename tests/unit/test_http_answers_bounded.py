"""Every client obsgen runs stops reading an answer at the bound of what it reads from that server (a real HTTP
server on loopback answering a body without end), with an error naming the URL and the bound."""

from __future__ import annotations

import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from generator.apply import http as apply_http
from generator.core.bounded_http import BodyTooLarge
from generator.core.untrusted import ReadError
from generator.exporter import prometheus_api
from generator.exporter.jobs import JobFailed
from generator.live import ledger
from generator.live.supervisor import http_ready
from generator.preview import prometheus as preview_prometheus
from generator.preview.queries import Request
from tests.servers import answer_json_text, counted, endless_answers, serving

ROOT = Path(__file__).resolve().parents[2]


def _socket_buffers() -> int:
    """The most the kernel buffers of one loopback connection: its receive window grows (autotuning) up to
    tcp_rmem's maximum, its send buffer up to tcp_wmem's (6 MiB and 4 MiB by default; 32 MiB and 4 MiB on this
    project's CI machines, where 16 MiB of slack failed once: 87,490,560 bytes sent against a 64 MiB bound)."""
    try:
        return sum(int(Path(f"/proc/sys/net/ipv4/tcp_{kind}").read_text().split()[2]) for kind in ("rmem", "wmem"))
    except (OSError, IndexError, ValueError):
        return 16 * 2**20


SLACK = _socket_buffers() + 2**16
"""What a server may have written past the bound when the client closes: the sockets' buffers on loopback, and the
block it was writing (under BEYOND, so a client reading the whole body still fails)."""
BEYOND = 64 * 2**20
"""What the server sends past a bound before it gives up: a client reading the whole body reads this much more."""


def test_a_client_reading_the_whole_body_would_fail_these_tests() -> None:
    assert SLACK < BEYOND  # else the bound asserted below would let an unbounded read pass


def test_status_stops_at_64_mib_of_an_endless_answer_and_says_where(tmp_path: Path) -> None:
    handler, sent = endless_answers(apply_http.ANSWER_BYTES + BEYOND)
    with serving(handler) as url:
        result = subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(ROOT / "out"),
                                 "--prometheus-url", url, "--retries", "0"], capture_output=True, text=True,
                                cwd=tmp_path, timeout=120)
        counted(sent)
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout + result.stderr)[-3000:]
    assert f"prometheus: GET /metrics answered 200: the answer of {url}/metrics is over 64 MiB" in result.stdout
    assert sent and sent[0] < apply_http.ANSWER_BYTES + SLACK


def test_the_exporter_fails_the_job_at_256_mib_of_an_endless_query_range_answer() -> None:
    handler, sent = endless_answers(prometheus_api.ANSWER_BYTES + BEYOND)
    with serving(handler) as url:
        with pytest.raises(JobFailed, match=f"the answer of {url}/api/v1/query_range is over 256 MiB"):
            prometheus_api.PrometheusClient(url, timeout=30).query_range("up", 0, 60, 60)
        counted(sent)
    assert sent and sent[0] < prometheus_api.ANSWER_BYTES + SLACK


def test_a_preview_panel_shows_the_bound_its_query_answer_went_over() -> None:
    handler, sent = endless_answers(preview_prometheus.ANSWER_BYTES + BEYOND)
    request = Request("A", "up", instant=False, start=0, end=600, step=60, legend="", format="time_series")
    with serving(handler) as url:
        answer = preview_prometheus.Prometheus(url).ask(request)
        counted(sent)
    assert answer.error.startswith(f"BodyTooLarge: the answer of {url}/api/v1/query_range is over 64 MiB")
    assert sent and sent[0] < preview_prometheus.ANSWER_BYTES + SLACK


def test_the_live_ledger_stops_at_64_mib_of_an_endless_answer() -> None:
    handler, sent = endless_answers(ledger.ANSWER_BYTES + BEYOND)
    with serving(handler) as url:
        with pytest.raises(BodyTooLarge, match=f"the answer of {url}/api/v1/query is over 64 MiB"):
            ledger.episodes(url, 0, 600, 30)
        counted(sent)
    assert sent and sent[0] < ledger.ANSWER_BYTES + SLACK


class _Deep(BaseHTTPRequestHandler):
    """A Prometheus answering every GET and POST with 100,000 nested arrays (a few hundred KiB, under every bound of
    size)."""

    def do_GET(self) -> None:
        answer_json_text(self, 200, b"[" * 100_000 + b"]" * 100_000)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))  # unread, the close resets the client's request
        self.do_GET()

    def log_message(self, *args: object) -> None:
        pass


def test_the_live_ledger_refuses_an_answer_nested_deeper_than_it_reads() -> None:
    """Parsed within core.untrusted's bounds, as apply's answers are: no RecursionError."""
    with serving(_Deep) as url, pytest.raises(ReadError, match="nested deeper than 64 levels"):
        ledger.episodes(url, 0, 600, 30)


def test_the_exporter_fails_the_job_on_an_answer_nested_deeper_than_it_reads() -> None:
    """A job's failure naming the bound, not a RecursionError out of the job's thread."""
    with serving(_Deep) as url, pytest.raises(JobFailed, match=r"answer is not read: .*nested deeper than 64 levels"):
        prometheus_api.PrometheusClient(url, timeout=30).query_range("up", 0, 60, 60)


def test_a_preview_panel_shows_an_answer_nested_deeper_than_it_reads() -> None:
    request = Request("A", "up", instant=False, start=0, end=600, step=60, legend="", format="time_series")
    with serving(_Deep) as url:
        answer = preview_prometheus.Prometheus(url).ask(request)
    assert answer.error.startswith("ReadError: ") and "nested deeper than 64 levels" in answer.error, answer.error


def test_a_readiness_probe_reads_the_status_only() -> None:
    handler, sent = endless_answers(BEYOND)
    with serving(handler) as url:
        assert http_ready(url + "/-/ready")()
        counted(sent)
    assert sent and sent[0] < SLACK
