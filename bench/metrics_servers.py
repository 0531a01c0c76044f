"""/metrics latency with 200 simultaneous scrapers: the exporter's HTTP server against prometheus_client's own and a
bare asyncio server.

Usage: ``python bench/metrics_servers.py [--clients 200] [--rounds 10] [--body-kib 4]``.

Each server runs in a process of its own and sends the same pre-rendered body (the exporter renders it in the
background, see generator/exporter/exposition.py): obsgen's waitress server (generator/exporter/http.py:
one event loop reading and writing every connection, WORKERS threads calling the application),
prometheus_client's ``start_wsgi_server`` server (a thread per connection, listen backlog 5), and a bare
asyncio server that only writes the bytes: the floor that the client, the kernel and one Python thread cost
on this machine. Each round every client opens a connection at the same moment and reads /metrics (the
asyncio client of bench/exporter_load.py). Printed: p50, p99 and errors per server, and each p99 as a ratio
to the floor's, which tells the server's own cost on a shared machine better than the milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.exporter_load import rounds  # noqa: E402
from generator.exporter.http import HttpServer, StartResponse  # noqa: E402
from tests.servers import free_port  # noqa: E402

SERVERS = ("asyncio", "obsgen", "prometheus_client")


def body_of(kib: int) -> bytes:
    """An exposition of about `kib` KiB."""
    lines = [f'obsgen_bench_value{{series="{index}"}} {index}.5\n' for index in range(kib * 1024 // 32)]
    return b"# HELP obsgen_bench_value A value.\n# TYPE obsgen_bench_value gauge\n" + "".join(lines).encode()


def serve(kind: str, port: int, body: bytes) -> None:
    """Serve `body` on /metrics until killed."""
    def app(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    if kind == "obsgen":
        server = HttpServer(app, "127.0.0.1", port)
        server.start()
        while True:
            time.sleep(3600)
    if kind == "prometheus_client":
        from prometheus_client.exposition import ThreadingWSGIServer

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """No line per request."""

        make_server("127.0.0.1", port, app, ThreadingWSGIServer, handler_class=Quiet).serve_forever()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:  # the readiness probe, which connects and closes
            writer.close()
            return
        writer.write(answer)
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        await server.serve_forever()

    asyncio.run(main())


def measure(kind: str, clients: int, count: int, kib: int) -> tuple[list[float], int]:
    """Start a server of `kind` in a process, load it, stop it: latencies (ms) and failed scrapes."""
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port), "--body-kib",
                                str(kib)], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        asyncio.run(rounds(port, clients, 1))  # warm-up: imports, first connections
        return asyncio.run(rounds(port, clients, count))
    finally:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    """Load each server in turn and print the percentiles and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--body-kib", type=int, default=4)
    parser.add_argument("--serve", choices=SERVERS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, body_of(args.body_kib))
        return 0
    results = {kind: measure(kind, args.clients, args.rounds, args.body_kib) for kind in SERVERS}
    floor = float(np.percentile(results["asyncio"][0], 99))
    print(f"{args.clients} simultaneous clients x {args.rounds} rounds, {args.body_kib} KiB per scrape")
    for kind, (latencies, errors) in results.items():
        if not latencies:
            print(f"{kind:>18}: every scrape failed")
            continue
        p50, p99 = np.percentile(latencies, [50, 99])
        print(f"{kind:>18}: p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {max(latencies):7.1f} ms  "
              f"{errors} errors of {args.clients * args.rounds}; p99 {p99 / floor:.2f}x the bare asyncio server's")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
