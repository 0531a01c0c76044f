"""The notification sinks record what they receive; the webhook sink can play a broken receiver."""

from __future__ import annotations

import contextlib
import smtplib
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.live import serve, smtp_sink, webhook_sink
from generator.live.recording import Recording
from tests.servers import free_port


@pytest.fixture
def webhook(tmp_path: Path) -> Iterator[tuple[str, Recording]]:
    server = webhook_sink.server(free_port(), tmp_path / "webhook.jsonl")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Recording(tmp_path / "webhook.jsonl")
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_are_recorded_with_path_and_body(webhook: tuple[str, Recording]) -> None:
    url, recording = webhook
    body = {"status": "firing", "receiver": "slack", "commonLabels": {"alertname": "CpuHigh"}}
    assert requests.post(f"{url}/slack", json=body, timeout=5).status_code == 200
    record = recording.wait_for(lambda r: r["path"] == "/slack", timeout=5)
    assert record["body"] == body and record["answered"] == 200


def test_a_broken_path_refuses_until_healed(webhook: tuple[str, Recording]) -> None:
    url, recording = webhook
    requests.post(f"{url}{webhook_sink.FAIL_PATH}", json={"path": "/webhook", "status": 500}, timeout=5)
    assert requests.post(f"{url}/webhook", json={}, timeout=5).status_code == 500
    assert requests.post(f"{url}/slack", json={}, timeout=5).status_code == 200
    requests.delete(f"{url}{webhook_sink.FAIL_PATH}", params={"path": "/webhook"}, timeout=5)
    assert requests.post(f"{url}/webhook", json={}, timeout=5).status_code == 200
    assert [r["answered"] for r in recording.records() if r["path"] == "/webhook"] == [500, 200]


def test_the_pagerduty_path_takes_only_valid_events_v2(webhook: tuple[str, Recording]) -> None:
    url, recording = webhook
    event: dict[str, Any] = {"routing_key": "key", "event_action": "trigger", "dedup_key": "abc",
                             "payload": {"summary": "[FIRING:1] CRITICAL CpuHigh instance=web-1", "source": "web-1",
                                         "severity": "critical"}}
    accepted = requests.post(f"{url}/pager/v2/enqueue", json=event, timeout=5)
    assert accepted.status_code == 202 and accepted.json()["dedup_key"] == "abc"
    emergency = {**event, "payload": {**event["payload"], "severity": "emergency"}}
    refused = requests.post(f"{url}/pager/v2/enqueue", json=emergency, timeout=5)
    assert refused.status_code == 400 and "payload.severity 'emergency'" in refused.json()["errors"][0]
    webhook_json = {"status": "firing", "alerts": [], "commonLabels": {"alertname": "CpuHigh"}}
    assert requests.post(f"{url}/pager/v2/enqueue", json=webhook_json, timeout=5).status_code == 400
    resolve = {"routing_key": "key", "event_action": "resolve", "dedup_key": "abc"}
    assert requests.post(f"{url}/pager/v2/enqueue", json=resolve, timeout=5).status_code == 202
    assert [r["answered"] for r in recording.records()] == [202, 400, 400, 202]


def test_smtp_messages_are_recorded(tmp_path: Path) -> None:
    port = free_port()
    controller = smtp_sink.controller(port, tmp_path / "email.jsonl")
    controller.start()
    try:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = "[FIRING:1] WARNING X", "am@company.com", "a@company.com"
        message.set_content("<h2>hello</h2>", subtype="html")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
        record = Recording(tmp_path / "email.jsonl").wait_for(lambda r: True, timeout=5)
    finally:
        controller.stop()
    assert record["rcpt_tos"] == ["a@company.com"] and record["subject"] == "[FIRING:1] WARNING X"
    assert "<h2>hello</h2>" in record["text"]


def _raw_post(url: str, head: str, body: bytes = b"") -> bytes:
    """What the server answers a POST written by hand (requests would send the body it declares)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + body)
        answer = b""
        with contextlib.suppress(TimeoutError):  # the old sink waited for the body it was promised, and never answered
            while chunk := sock.recv(65536):
                answer += chunk
    return answer


def test_a_body_claiming_more_than_the_bound_is_refused_unread(webhook: tuple[str, Recording]) -> None:
    url, recording = webhook
    answer = _raw_post(url, f"POST /webhook HTTP/1.1\r\nHost: sink\r\nContent-Type: application/json\r\n"
                            f"Content-Length: {2**40}", b'{"status": "firing"')
    assert answer.startswith(b"HTTP/1.0 413 ") and b"over 4 MiB" in answer, answer[:300]
    bad = _raw_post(url, "POST /webhook HTTP/1.1\r\nHost: sink\r\nContent-Length: lots")
    assert bad.startswith(b"HTTP/1.0 400 ") and b"Content-Length is not a number" in bad, bad[:300]
    assert requests.post(f"{url}/webhook", json={"n": "x" * (serve.MAX_BODY_BYTES - 20)}, timeout=10).status_code == 200
    assert [len(r["body"]["n"]) for r in recording.records()] == [serve.MAX_BODY_BYTES - 20]
