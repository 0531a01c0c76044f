"""A request over HTTPS ends by its deadline too, however the server stalls it: an answer trickling a byte at a
time after the handshake, and the handshake itself trickled. Real TLS servers on loopback, with a self-signed
certificate made for the test and trusted as requests trusts a private CA (REQUESTS_CA_BUNDLE), so the failure
seen is the deadline's, never a certificate's."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.apply.http import Api, Connection, Unreachable
from generator.exporter.jobs import JobTimeout
from generator.exporter.prometheus_api import PrometheusClient
from tests.unit.test_http_deadline import TRICKLE, ended, stalling


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, trusted by requests for the test."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to make a certificate with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    return cert, key


@contextlib.contextmanager
def serving_tls(handler: type[BaseHTTPRequestHandler], certificate: tuple[Path, Path]) -> Iterator[int]:
    """An HTTPS server on a free loopback port, in a thread; yields its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _pump(source: socket.socket, sink: socket.socket, pace: float) -> None:
    """Copy source to sink until either closes: at once (pace 0), or a byte every pace seconds."""
    with contextlib.suppress(OSError):
        while data := source.recv(1 if pace else 2**16):
            sink.sendall(data)
            time.sleep(pace)
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def trickling_proxy(port: int, pace: float) -> Iterator[int]:
    """A TCP proxy to 127.0.0.1:port passing the client's bytes on at once and the server's a byte every pace
    seconds (the TLS handshake's included); yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listener closed: the test is over
            while True:
                client, _ = listener.accept()
                upstream = socket.create_connection(("127.0.0.1", port))
                connections.extend((client, upstream))
                threading.Thread(target=_pump, args=(client, upstream, 0.0), daemon=True).start()
                threading.Thread(target=_pump, args=(upstream, client, pace), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in connections:
            connection.close()


@pytest.mark.parametrize("client", ["apply", "exporter"])
def test_an_https_answer_trickling_a_byte_at_a_time_is_cut_at_the_deadline(
        certificate: tuple[Path, Path], client: str) -> None:
    with serving_tls(stalling(200, *TRICKLE), certificate) as port:
        url = f"https://127.0.0.1:{port}"
        if client == "apply":
            api = Api(Connection("prometheus", url, timeout=1.0, retries=0))
            error, took = ended(lambda: api.get("/api/v1/rules"))
            expected: type[Exception] = Unreachable
        else:
            error, took = ended(lambda: PrometheusClient(url, timeout=1.0).query_range("up", 0, 60, 60))
            expected = JobTimeout
    assert isinstance(error, expected), repr(error)
    assert " did not finish answering within 2 s" in str(error) and url in str(error), str(error)
    assert 2 <= took < 10


def test_an_https_handshake_trickled_a_byte_at_a_time_ends_within_the_deadline(certificate: tuple[Path, Path]) -> None:
    """CPython's ssl takes the socket's timeout as a deadline for the whole handshake (Modules/_ssl.c,
    do_handshake: `deadline = now + timeout` around its SSL_do_handshake loop), so a handshake trickled a byte at a
    time ends at the request's timeout, 1 s, before its deadline, 2 s, comes: bounded either way, and this shows
    which."""
    with serving_tls(stalling(200, 0.0, 2**10), certificate) as port:
        direct = f"https://127.0.0.1:{port}"
        # the server answers, and its certificate is trusted: what the proxy's pace alone changes is the time
        assert ended(lambda: Api(Connection("prometheus", direct, timeout=5.0, retries=0)).session.get(
            direct, stream=True, timeout=5.0).close())[0] is None
        with trickling_proxy(port, TRICKLE[0]) as proxied:  # the server's hello and certificate would take minutes
            url = f"https://127.0.0.1:{proxied}"
            error, took = ended(lambda: Api(Connection("prometheus", url, timeout=1.0, retries=0)).get("/"))
    assert isinstance(error, Unreachable), repr(error)
    assert str(error) == f"prometheus at {url} took the connection but did not answer within 1 s (1 attempt)"
    assert 1 <= took < 2
