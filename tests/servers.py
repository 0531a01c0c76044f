"""Real Prometheus-stack processes on loopback for end-to-end tests: started on free ports, always stopped."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
import yaml

from generator.core.process_log import log_tail
from generator.live import ports
from generator.live.stack import START_ATTEMPTS
from generator.live.supervisor import PORT_TAKEN


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now, outside the range outgoing connections take theirs
    from (generator.live.ports.free_port)."""
    return ports.free_port()


@contextmanager
def https_server(handler: type[BaseHTTPRequestHandler], directory: Path, name: str) -> Iterator[tuple[int, Path]]:
    """python's https server on a free loopback port, answering with handler, its certificate self-signed for DNS
    name `name` (made by openssl in directory): its port and that certificate (the CA verifying it)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
                   capture_output=True, check=True, timeout=60)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], cert
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Server:
    """A running server process and its base URL."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def get(self, path: str, **params: str) -> requests.Response:
        """GET a path of the server's HTTP API."""
        return requests.get(f"{self.url}{path}", params=params, timeout=10)


class PortTaken(RuntimeError):
    """The server exited because another process took its port between free_port() and its bind."""


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    """Poll a readiness URL until it answers 200; fail with the server's log if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_tail(log)
            failure = PortTaken if PORT_TAKEN.search(tail) else RuntimeError
            raise failure(f"server exited with {process.returncode}:\n{tail}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or another process holds the port
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout}s:\n{log_tail(log)}")


@contextmanager
def run(argv: list[str], ready_path: str, port: int, workdir: Path, name: str) -> Iterator[Server]:
    """Start a server, wait until ready, and stop it (SIGTERM, then SIGKILL) whatever happens."""
    if shutil.which(argv[0]) is None:
        raise RuntimeError(f"{argv[0]} is not installed: run `make test`, which installs Debian's packages")
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url + ready_path, process, log)
        yield Server(process, url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def on_port(argv_at: Callable[[int], list[str]], port: int, workdir: Path, name: str) -> Iterator[Server]:
    """run() on `port`, or on a free port when it is 0: one another process takes before the server binds it (the
    other pytest worker's servers choose theirs from the same range) is chosen again, at most START_ATTEMPTS times."""
    for attempt in range(1, START_ATTEMPTS + 1):
        chosen = port or free_port()
        started = contextlib.ExitStack()
        try:
            server = started.enter_context(run(argv_at(chosen), "/-/ready", chosen, workdir, name))
        except PortTaken:
            if port or attempt == START_ATTEMPTS:
                raise
            continue
        with started:
            yield server
        return


@contextmanager
def prometheus(config: Path, workdir: Path, *extra: str, port: int = 0) -> Iterator[Server]:
    """The real prometheus on a (free) loopback port, with its own data directory."""
    def argv_at(port: int) -> list[str]:
        return ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={workdir / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{port}", "--web.enable-lifecycle", "--log.level=warn", *extra]
    with on_port(argv_at, port, workdir, "prometheus") as server:
        yield server


@contextmanager
def alertmanager(config: Path, workdir: Path, *extra: str, port: int = 0) -> Iterator[Server]:
    """The real prometheus-alertmanager on a (free) loopback port, clustering off."""
    def argv_at(port: int) -> list[str]:
        return ["prometheus-alertmanager", f"--config.file={config}", f"--storage.path={workdir / 'am-data'}",
                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn", *extra]
    with on_port(argv_at, port, workdir, "alertmanager") as server:
        yield server


def _postgres_bin(name: str) -> str:
    """Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
                                       None)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run `make test`, which installs Debian's postgresql")
    return str(found)


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster on a loopback port; stop() and start() keep its data."""

    data: Path
    port: int
    password: str
    as_user: list[str]

    @property
    def url(self) -> str:
        """SQLAlchemy URL (psycopg 3) of the cluster's postgres database."""
        return f"postgresql+psycopg://obsgen:{self.password}@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, _postgres_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args],
                       check=True, capture_output=True)

    def start(self) -> None:
        """Start (or restart after stop) the server and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._ctl("-l", str(self.data / "server.log"), "-o", options, "start")

    def stop(self) -> None:
        """Stop the server now (fast shutdown: open connections are closed)."""
        self._ctl("-m", "fast", "stop")

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """The server and its backends stopped (SIGSTOP) while inside: connections stay open, nothing answers,
        as with a frozen VM or a host lost without a reset; resumed on exit."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGSTOP)  # first: stopped, it starts no backend while its children are listed
        stopped = [postmaster]
        try:
            children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout
            for pid in map(int, children.split()):
                with contextlib.suppress(ProcessLookupError):  # a backend gone since it was listed: none to freeze
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A fresh cluster (password auth) owned by the postgres user when running as root; always removed."""
    as_root = os.geteuid() == 0
    workdir = Path(tempfile.mkdtemp(prefix="obsgen-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(workdir, "postgres")
    server = Postgres(workdir / "data", free_port(), "s3cret-" + os.urandom(4).hex(), as_user)
    try:
        password_file = workdir / "pw"
        password_file.write_text(server.password)
        if as_root:
            shutil.chown(password_file, "postgres")
        subprocess.run([*as_user, _postgres_bin("initdb"), "-D", str(server.data), "-U", "obsgen",
                        "-A", "scram-sha-256", f"--pwfile={password_file}", "--no-sync"],
                       check=True, capture_output=True)
        server.start()
        try:
            yield server
        finally:
            subprocess.run([*as_user, _postgres_bin("pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
                           capture_output=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def promtool_test(document: dict[str, Any], path: Path) -> subprocess.CompletedProcess[str]:
    """`promtool test rules` on a test document, written at path (rule_files relative to its folder)."""
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1 << 20))
    return subprocess.run(["promtool", "test", "rules", path.name], cwd=path.parent, capture_output=True,
                          text=True, timeout=600, check=False)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A stand-in HTTP server on a free loopback port, in a thread, stopped on exit; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def answer_json(handler: BaseHTTPRequestHandler, status: int, body: object) -> None:
    """Send `body` as a fake server's JSON answer."""
    answer_json_text(handler, status, json.dumps(body).encode())


def answer_json_text(handler: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
    """Send `data` as a fake server's JSON answer, as it is (a broken or hostile one's, say)."""
    answer(handler, status, data, "application/json")


def answer(handler: BaseHTTPRequestHandler, status: int, data: bytes, kind: str) -> None:
    """Send `data` as a fake (or passed-on) server's answer of Content-Type kind, as it is."""
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a readiness probe reads the status only
        handler.wfile.write(data)


def endless_answers(give_up: int) -> tuple[type[BaseHTTPRequestHandler], list[int]]:
    """A handler answering every GET and POST 200 with a JSON body that never ends (`{"data": "xxx...`), as a broken
    or hostile server may, and the bytes of body it sent, one count per answer once it ends. It ends an answer
    after give_up bytes, closing the connection (the body has no length: it ends there), so that a client reading
    it whole cannot fill the test machine's memory."""
    sent: list[int] = []
    block = b"x" * 2**16

    class Endless(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            count = 0
            with contextlib.suppress(OSError):  # the client closed the connection: it stopped reading
                self.wfile.write(b'{"data": "')
                while count < give_up:
                    self.wfile.write(block)
                    count += len(block)
            sent.append(count)

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Endless, sent


def counted(sent: list[int], answers: int = 1, timeout: float = 10.0) -> list[int]:
    """The counts of endless_answers once `answers` of them ended (the server notices a closed connection at its
    next write)."""
    deadline = time.monotonic() + timeout
    while len(sent) < answers and time.monotonic() < deadline:
        time.sleep(0.01)
    return sent
