"""The demo shop's state: metrics, faults, the business model and the simulated host, advanced by ticks."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from generator.live.demo.business import CATEGORIES, BusinessModel, order_value_factor
from generator.live.demo.faults import SLOW_RAMP_SECONDS, Fault, Faults
from generator.live.demo.host import SIMULATED_HOSTS, SimulatedHost
from generator.live.demo.registry import DemoMetrics
from generator.model.project import Project

ENDPOINTS = {"/api/products": ("GET", 0.01, 0.06), "/api/search": ("GET", 0.04, 0.18),
             "/api/checkout": ("POST", 0.06, 0.2)}
"""Endpoint -> (method, fastest, slowest answer in seconds): a healthy shop answers within 250 ms."""
ERROR_SHARE_DURING_FAULT = 0.5
CACHE_HIT = {"/api/products": ("products", 0.85), "/api/search": ("search", 0.4)}
HTTP_METRICS = frozenset({"http_requests_total", "http_request_duration_seconds", "http_active_connections",
                          "cache_requests_total", "rag_queries_total", "rag_search_accuracy", "rag_query_complexity"})
EVENT_METRICS = frozenset({"revenue_per_user", "session_duration_seconds", "page_load_time_seconds",
                           "recommendation_accuracy"})


class Shop:
    """Everything the demo application exposes, and how faults change it."""

    def __init__(self, project: Project, model: BusinessModel, service: str) -> None:
        self.faults = Faults()
        self.model = model
        self.service = service
        self.ramp = SLOW_RAMP_SECONDS * model.time_scale
        """Real seconds a slow fault takes to reach its worst."""
        self.hosts = {name: SimulatedHost(self.faults, name, self.ramp) for name in SIMULATED_HOSTS}
        self.metrics = DemoMetrics(project, model.series_names() | HTTP_METRICS | EVENT_METRICS)
        self.burn = False
        """Whether the CPU fault also burns a real core of this process."""
        self._random = random.Random(7)
        self._carry: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._last = time.time()
        for series, value in model.counters_at(self._last).items():  # continue the backfilled history
            self.metrics.inc(series.name, value, series.label_dict)

    def active(self) -> frozenset[Fault]:
        """Faults shown now."""
        return frozenset(fault for fault in Fault if self.faults.active(fault, host=None))

    def _events(self, key: str, amount: float) -> int:
        """Whole events in a fractional amount, carrying the remainder to the next tick."""
        self._carry[key] += amount
        whole = int(self._carry[key])
        self._carry[key] -= whole
        return whole

    def tick(self) -> None:
        """Advance the business to now."""
        with self._lock:
            now = time.time()
            sessions = self.model.sessions_between(self._last, now)
            elapsed, self._last = now - self._last, now
            faults = self.active()
            decline = self.faults.progress(Fault.REVENUE_DECLINE, self.ramp)
            rates = self.model.per_session(faults, decline)
            for series, per_session in rates.items():
                self.metrics.inc(series.name, per_session * sessions, series.label_dict)
            for series, value in self.model.gauges(now, faults).items():
                self.metrics.set(series.name, value, series.label_dict)
            orders = sum(rate for series, rate in rates.items() if series.name == "sales_conversions_total")
            self._observe_events(sessions, orders * sessions, order_value_factor(faults, decline))
            self.metrics.drive_undriven(elapsed)

    def _observe_events(self, sessions: float, orders: float, value_factor: float) -> None:
        rnd = self._random
        categories, weights = list(CATEGORIES), [share for share, _ in CATEGORIES.values()]
        order_values = [CATEGORIES[rnd.choices(categories, weights)[0]][1] * value_factor * rnd.lognormvariate(0, 0.4)
                        for _ in range(self._events("orders", orders))]
        self.metrics.observe("revenue_per_user", order_values)
        draws: tuple[tuple[str, float, Callable[[], float]], ...] = (
            ("session_duration_seconds", sessions, lambda: rnd.lognormvariate(math.log(240), 0.8)),
            ("page_load_time_seconds", sessions, lambda: rnd.lognormvariate(math.log(0.9), 0.5)),
            ("recommendation_accuracy", sessions / 2, lambda: rnd.betavariate(8, 2)),
        )
        for name, events, draw in draws:
            self.metrics.observe(name, [draw() for _ in range(self._events(name, events))])

    def serve(self, endpoint: str) -> int:
        """Answer one shop request (it takes real time) and record it; returns the HTTP status."""
        method, fastest, slowest = ENDPOINTS[endpoint]
        rnd = self._random
        labels = {"service": self.service}
        with self._lock:
            self._in_flight += 1
            self.metrics.set("http_active_connections", self._in_flight, labels)
        started = time.perf_counter()
        time.sleep(rnd.uniform(fastest, slowest))
        failed = self.faults.active(Fault.ERRORS) and rnd.random() < ERROR_SHARE_DURING_FAULT
        if endpoint in CACHE_HIT:
            cache_type, hit_ratio = CACHE_HIT[endpoint]
            result = "hit" if rnd.random() < hit_ratio else "miss"
            self.metrics.inc("cache_requests_total", 1, {"cache_type": cache_type, "result": result})
        if endpoint == "/api/search":
            self.metrics.inc("rag_queries_total", 1, {"status": "error" if failed else "ok"})
            self.metrics.observe("rag_search_accuracy", [rnd.betavariate(9, 1.5)])
            self.metrics.observe("rag_query_complexity", [rnd.uniform(1, 12)])
        status = 500 if failed else 200
        request = {**labels, "endpoint": endpoint, "method": method, "status": str(status)}
        self.metrics.inc("http_requests_total", 1, request)
        self.metrics.observe("http_request_duration_seconds", [time.perf_counter() - started], request)
        with self._lock:
            self._in_flight -= 1
            self.metrics.set("http_active_connections", self._in_flight, labels)
        return status

    def burn_cpu(self) -> None:
        """Spin on one core while the CPU fault lasts and burning was asked for."""
        while self.burn and self.faults.active(Fault.CPU, host=None):
            deadline = time.perf_counter() + 0.05
            while time.perf_counter() < deadline:
                pass
