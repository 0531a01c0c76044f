"""The exporter's HTTP endpoint in-process: silent clients hold no worker and are closed after the idle timeout."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator

import pytest
import requests
import yaml

from generator.exporter.http import WORKERS, HttpServer, StartResponse
from generator.model import ExporterSettings
from tests.exporter.conftest import ROOT

IDLE_TIMEOUT = 1


def hello(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"ok\n"]


@pytest.fixture
def server() -> Iterator[HttpServer]:
    httpd = HttpServer(hello, "127.0.0.1", 0, idle_timeout=IDLE_TIMEOUT)
    httpd.start()
    yield httpd
    httpd.close()


def silent_connections(port: int, count: int, partial: bytes) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(partial)
        sockets.append(sock)
    return sockets


@pytest.mark.parametrize("partial", [b"", b"GET /metrics HTTP/1.1\r\nHost: x\r\n"], ids=["nothing", "half a request"])
def test_silent_clients_hold_no_worker_and_are_closed_after_the_idle_timeout(server: HttpServer,
                                                                            partial: bytes) -> None:
    sockets = silent_connections(server.port, WORKERS * 10, partial)

    answer = requests.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5)  # served while they wait
    closed = []
    for sock in sockets:
        sock.settimeout(IDLE_TIMEOUT + 5)
        closed.append(sock.recv(1) == b"")  # waitress closes without answering a request never completed
        sock.close()

    assert answer.text == "ok\n"
    assert all(closed)


def test_the_exporter_listens_on_loopback_unless_a_container_says_otherwise() -> None:
    compose = yaml.safe_load((ROOT / "stacks/docker-compose.yml").read_text())

    assert ExporterSettings().listen == "127.0.0.1:9188"
    assert compose["services"]["obsgen-exporter"]["command"][-2:] == ["--listen", "0.0.0.0:9188"]
