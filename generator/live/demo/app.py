"""The demo application process: the shop's API, its /metrics, a simulated host, and a control API for faults.

Run as `python -m generator.live.demo.app --port 8000 --definitions definitions`. Endpoints:
  GET  /metrics                  the application metrics the definitions declare (prometheus-client)
  GET  /hosts/<host>/metrics     node-exporter-style CPU and memory series of a simulated host
  GET  /faults                   active faults and what each available fault does
  POST /faults/<name>            start one: cpu, memory, errors, conversion, revenue; JSON body {"seconds": 60}
                                 to stop by itself, {"host": "simulated-host-2"} for a host fault on the second
                                 host (the first by default), {"burn": true} for a real CPU burn
  DELETE /faults[/<name>]        stop one fault (?host=simulated-host-2: on that host only), or all
  GET /api/products, GET /api/search, POST /api/checkout   the shop itself (the demo sends itself traffic)
"""

from __future__ import annotations

import argparse
import contextlib
import random
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import requests
from prometheus_client import CONTENT_TYPE_LATEST, disable_created_metrics, generate_latest

from generator.build import load
from generator.core.http_deadline import deadline_for, deadline_session
from generator.live.demo.business import BusinessModel
from generator.live.demo.faults import Fault
from generator.live.demo.host import SIMULATED_HOSTS, metrics_path
from generator.live.demo.shop import ENDPOINTS, Shop
from generator.live.serve import Handler, listening, serve_until_terminated

READY_PATH = "/-/ready"
TICK_SECONDS = 0.1
TRAFFIC = {"/api/products": 6, "/api/search": 3, "/api/checkout": 1}
"""Relative weight of each endpoint in the traffic the demo sends itself."""
CLIENTS = 3
PAUSE_SECONDS = 0.25
TRAFFIC_TIMEOUT = 5.0
"""Seconds a traffic client waits for a connection and each answer of the shop; the whole request ends within
deadline_for(TRAFFIC_TIMEOUT), 10 s, however slowly the answer comes (the shop's answers take milliseconds)."""
TRAFFIC_ANSWER_BYTES = 2**20
"""The most a traffic client reads of an answer: the shop's are a line of JSON."""


def server(shop: Shop, port: int) -> ThreadingHTTPServer:
    """The demo's HTTP server on 127.0.0.1:port."""

    hosts = {metrics_path(name): host for name, host in shop.hosts.items()}

    class DemoHandler(Handler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/metrics":
                # as of now, not of the last tick: Prometheus stamps the sample with the time the scrape began, and
                # the backfilled past holds the model's exact values up to just before it; a value as of an earlier
                # tick reads lower than the past's last sample, a counter reset that increase() turns into a jump by
                # the whole counter (CI: a revenue anomaly score of 7,000 on a healthy stack)
                shop.tick()
                self.reply(200, generate_latest(shop.metrics.registry).decode(), CONTENT_TYPE_LATEST)
            elif path in hosts:
                self.reply(200, hosts[path].exposition(), CONTENT_TYPE_LATEST)
            elif path == READY_PATH:
                self.reply(200, {"ready": True})
            elif path == "/faults":
                self.reply(200, {"active": shop.faults.state(), "burn": shop.burn,
                                 "available": {fault.value: fault.effect for fault in Fault}})
            elif path in ENDPOINTS and ENDPOINTS[path][0] == "GET":
                self.reply(shop.serve(path), {"endpoint": path})
            else:
                self.reply(404, {"error": f"no such path {path}"})

        def do_POST(self) -> None:
            if self.path in ENDPOINTS and ENDPOINTS[self.path][0] == "POST":
                self.reply(shop.serve(self.path), {"endpoint": self.path})
                return
            fault = self._fault()
            if fault is None:
                return
            order = self.read_json()
            host = str(order.get("host", SIMULATED_HOSTS[0])) if fault.on_host else ""
            if fault.on_host and host not in shop.hosts:
                self.reply(404, {"error": f"no simulated host {host!r}", "hosts": list(shop.hosts)})
                return
            if fault is Fault.CPU:
                shop.burn = bool(order.get("burn", False))
            shop.faults.inject(fault, order.get("seconds"), host)
            if fault is Fault.CPU and shop.burn:
                threading.Thread(target=shop.burn_cpu, daemon=True).start()
            self.reply(200, {"active": shop.faults.state()})

        def do_DELETE(self) -> None:
            path, _, query = self.path.partition("?")
            if path.rstrip("/") == "/faults":
                shop.faults.clear()
            elif (fault := self._fault()) is not None:
                shop.faults.clear(fault, parse_qs(query).get("host", [None])[0])
            else:
                return
            self.reply(200, {"active": shop.faults.state()})

        def _fault(self) -> Fault | None:
            path = self.path.partition("?")[0]
            name = path.removeprefix("/faults/")
            if path.startswith("/faults/") and name in Fault.__members__.values():
                return Fault(name)
            self.reply(404, {"error": f"unknown fault {name!r}", "available": [f.value for f in Fault]})
            return None

    return ThreadingHTTPServer(("127.0.0.1", port), DemoHandler)


def _ticks(shop: Shop) -> None:
    while True:
        shop.tick()
        time.sleep(TICK_SECONDS)


def _traffic(base_url: str, seed: int, stop: threading.Event | None = None) -> None:
    """One client of the shop: a request, a pause, until stop is set (forever in the demo)."""
    rnd = random.Random(seed)
    endpoints, weights = list(TRAFFIC), list(TRAFFIC.values())
    with deadline_session(deadline_for(TRAFFIC_TIMEOUT), TRAFFIC_ANSWER_BYTES) as session:
        while not (stop and stop.is_set()):
            endpoint = rnd.choices(endpoints, weights)[0]
            # an answered 500 is the errors fault (no exception); a refused connection is shutdown; an answer
            # past the deadline or the bound is a request that failed, and the client goes on with the next
            with contextlib.suppress(requests.RequestException):
                session.request(ENDPOINTS[endpoint][0], base_url + endpoint, timeout=TRAFFIC_TIMEOUT).close()
            time.sleep(PAUSE_SECONDS)


def main(argv: list[str] | None = None) -> None:
    """Start the shop, its traffic and its server; serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--definitions", type=Path, default=Path("definitions"))
    parser.add_argument("--service", default="api", help="Value of the service label on HTTP metrics.")
    parser.add_argument("--epoch", type=float, default=0.0, help="Unix time the backfilled history starts.")
    parser.add_argument("--time-scale", type=float, default=1 / 60, help="Simulated seconds per real second, inverted.")
    args = parser.parse_args(argv)
    disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series would double every family for nothing a rule reads
    model = BusinessModel(epoch=args.epoch or time.time(), time_scale=args.time_scale)
    shop = Shop(load(args.definitions), model, args.service)
    httpd = listening("demo app", args.port, lambda: server(shop, args.port))
    threading.Thread(target=_ticks, args=(shop,), daemon=True).start()
    for client in range(CLIENTS):
        threading.Thread(target=_traffic, args=(f"http://127.0.0.1:{args.port}", client), daemon=True).start()
    serve_until_terminated(httpd)


if __name__ == "__main__":
    main()
