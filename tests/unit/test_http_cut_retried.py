"""A safe request (GET) whose answer breaks off is made again, as a refused connection is: within the same retries
(urllib3's Retry: the budget the request's other retries used up, the same backoff) and the same deadline; the cut
is reported once the retries are spent. A POST whose answer breaks off is not made again (the server may have acted
on it), and its error says so. A real HTTP server on loopback cuts the answers it is told to, and answers the rest
whole."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from generator.apply.http import Api, Connection, Unreachable
from tests.servers import answer_json, serving
from tests.unit.test_http_answers_cut import BODY, SAYS

WHOLE = {"status": "success", "data": {"resultType": "vector", "result": []}}


class Script:
    """What a server answers, in order: "cut" (a chunk of 4000 bytes announced, 1000 sent, the connection closed),
    "503" (a proxy in front of a restarting server), then `whole` for every request past the script; and what it
    was asked (method and path)."""

    def __init__(self, *answers: str, whole: object = WHOLE) -> None:
        self.answers = list(answers)
        self.whole = whole
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        script = self

        class Scripted(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with script.lock:
                    script.asked.append(f"{self.command} {self.path.partition('?')[0]}")
                    answer = script.answers.pop(0) if script.answers else "whole"
                if answer == "cut":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b"fa0\r\n" + BODY[:1000])
                    self.wfile.flush()
                    self.close_connection = True
                else:
                    answer_json(self, 503 if answer == "503" else 200, script.whole)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        return Scripted


def api(url: str, retries: int) -> Api:
    return Api(Connection("prometheus", url, timeout=5.0, retries=retries))


def test_a_get_whose_answer_breaks_off_once_is_made_again_and_answered() -> None:
    """Before, the first cut ended the request: Unreachable(prometheus: GET /api/v1/query: the answer of ... broke
    off: ...), a restarting proxy failing `obsgen status`, `apply` and `ack` outright."""
    script = Script("cut")
    with serving(script.handler()) as url:
        assert api(url, retries=3).get("/api/v1/query", query="up") == WHOLE
    assert script.asked == ["GET /api/v1/query"] * 2


def test_a_post_whose_answer_breaks_off_is_not_made_again_and_says_so() -> None:
    script = Script("cut")
    with serving(script.handler()) as url, pytest.raises(Unreachable) as failed:
        api(url, retries=3).post("/api/v2/silences", {"comment": "ack"})
    assert str(failed.value) == (f"prometheus: POST /api/v2/silences: the answer of {url}/api/v2/silences "
                                 f"{SAYS['chunk']}; a POST is not retried: the server may have acted on it before "
                                 "its answer broke off")
    assert script.asked == ["POST /api/v2/silences"]


def test_a_server_cutting_every_answer_fails_the_get_once_the_retries_are_spent() -> None:
    script = Script(*["cut"] * 10)
    with serving(script.handler()) as url, pytest.raises(Unreachable) as failed:
        api(url, retries=2).get("/api/v1/query", query="up")
    assert str(failed.value) == (f"prometheus: GET /api/v1/query: the answer of {url}/api/v1/query {SAYS['chunk']}; "
                                 "3 attempts, the retries spent")
    assert script.asked == ["GET /api/v1/query"] * 3


def test_retries_after_a_cut_come_out_of_the_same_budget_as_the_other_retries() -> None:
    """A 503 (retried by urllib3), then two cuts: with two retries, the second cut is the third attempt, the last."""
    script = Script("503", "cut", "cut")
    with serving(script.handler()) as url, pytest.raises(Unreachable, match=r"; 3 attempts, the retries spent$"):
        api(url, retries=2).get("/api/v1/query", query="up")
    assert script.asked == ["GET /api/v1/query"] * 3


def test_no_retries_means_the_first_cut_is_the_answer() -> None:
    script = Script("cut")
    with serving(script.handler()) as url, pytest.raises(Unreachable) as failed:
        api(url, retries=0).get("/api/v1/query", query="up")
    assert str(failed.value) == f"prometheus: GET /api/v1/query: the answer of {url}/api/v1/query {SAYS['chunk']}"
    assert script.asked == ["GET /api/v1/query"]


def test_ack_lists_silences_through_an_answer_cut_once(tmp_path: Path) -> None:
    """The CLI with its default --retries: Alertmanager's first answer breaks off, the second is whole."""
    script = Script("cut", whole=[])
    with serving(script.handler()) as url:
        result = subprocess.run([sys.executable, "-m", "generator", "ack", "--list", "--alertmanager-url", url],
                                capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert script.asked == ["GET /api/v2/silences"] * 2


def test_retries_after_a_cut_back_off_and_end_at_the_requests_deadline() -> None:
    """Timeout 0.1 s and 10 retries: a deadline of 2.2 s (2 x 0.1 s x 11 attempts). urllib3's backoff of 0.2 s
    doubling sleeps 0, 0.4 and 0.8 s after the first three cuts; after the fourth, 1.6 s would pass the deadline."""
    script = Script(*["cut"] * 20)
    with serving(script.handler()) as url, pytest.raises(Unreachable) as failed:
        Api(Connection("prometheus", url, timeout=0.1, retries=10)).get("/api/v1/query")
    assert str(failed.value) == (f"prometheus: {url}/api/v1/query did not finish answering within 2.2 s, the longest "
                                 "obsgen waits for one request, retries and body included (asked to retry in 1.6 s)")
    assert script.asked == ["GET /api/v1/query"] * 4
