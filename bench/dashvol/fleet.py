"""A production-sized fleet for the shipped metrics: which series exist, their labels, and their values at any time.

Application pods and node-exporter hosts scale with --scale; the stack's own servers (Prometheus, Alertmanager,
Grafana, the collector, Loki, Tempo, the sidecar exporter) run two replicas each. Every other label takes the
values a real deployment would give it (routes, statuses, buckets, devices); labels that belong together (an
endpoint and its method, a device and its mountpoint) are zipped rather than crossed. Values are closed-form
functions of time (a daily rhythm per series, seeded), so any window of the past can be written on its own.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from generator.model import Metric, MetricType, Source

ROUTES = ("/api/checkout", "/api/orders", "/api/payments", "/api/products", "/api/search", "/api/cart",
          "/api/users", "/health")
METHODS = ("POST", "GET", "POST", "GET", "GET", "POST", "GET", "GET")
SERVICES = ("api", "catalog", "search", "cart", "payments")
"""Application services; each is also its pods' scrape job, and `api` serves the SLOs' /api/checkout."""
PODS_PER_SCALE = 40
HOSTS_PER_SCALE = 40
REPLICAS = 2
"""Instances of each of the stack's own servers."""
DAY = 86400.0

VALUES: dict[str, tuple[str, ...]] = {
    "status": ("200", "201", "404", "500", "503"),
    "status_code": ("200", "500"),
    "cache_type": ("redis", "memcached", "local"),
    "result": ("hit", "miss"),
    "queue": ("orders", "payments", "emails", "search-index", "recommendations", "exports"),
    "product_category": tuple(f"category-{k}" for k in range(10)),
    "user_segment": ("new", "returning", "premium", "enterprise"),
    "product": tuple(f"product-{k:03d}" for k in range(50)),
    "feature": tuple(f"feature-{k}" for k in range(12)),
    "cpu": tuple(str(k) for k in range(8)),
    "mode": ("idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"),
    "service_name": SERVICES,
    "service": SERVICES,
    "span_kind": ("SPAN_KIND_SERVER", "SPAN_KIND_CLIENT"),
    "rule_group": tuple(f"group-{k}" for k in range(20)),
    "alertmanager": ("http://alertmanager-1:9093/api/v2/alerts", "http://alertmanager-2:9093/api/v2/alerts"),
    "integration": ("webhook", "email", "slack", "pagerduty"),
    "handler": tuple(f"/api/handler-{k}" for k in range(10)),
    "forecast": tuple(f"forecast-{k}" for k in range(5)),
    "query": tuple(f"query-{k}" for k in range(6)),
    "database": ("orders", "analytics"),
    "interval": ("15s",),
    "remote_name": ("remote",), "url": ("http://remote:9201/write",),
    "user": ("fake",),
}
ZIPPED: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = (
    (("endpoint", "method"), tuple(zip(ROUTES, METHODS, strict=True))),
    (("http_route", "span_name"), tuple((route, f"{method} {route}") for route, method in zip(ROUTES, METHODS,
                                                                                              strict=True))),
    (("device", "fstype", "mountpoint"), (("sda1", "ext4", "/"), ("sda2", "ext4", "/var"), ("tmpfs", "tmpfs", "/run"))),
)
DEVICES: dict[str, tuple[str, ...]] = {"node_network_": ("eth0", "eth1", "lo"),
                                       "node_disk_": ("sda", "nvme0n1", "dm-0")}
OTHER_VALUES = 3
"""Values of a label the tables above do not know."""


@dataclass(frozen=True)
class Target:
    """One scraped instance."""

    job: str
    instance: str
    service: str = ""


@dataclass(frozen=True)
class Series:
    """One series: its exposition name and labels, and what its value is."""

    name: str
    labels: tuple[tuple[str, str], ...]
    kind: str
    """counter, gauge, up, or a histogram's bucket/sum/count."""
    level: float
    """Per-second rate of a counter (of a histogram's count), a gauge's mean."""
    phase: float
    bound: float = math.inf
    """A bucket's le; the median of the histogram's observations for its sum."""

    def text(self) -> str:
        """name{labels} as OpenMetrics writes it."""
        return self.name + "{" + ",".join(f'{k}="{v}"' for k, v in self.labels) + "}"

    def value(self, t: float) -> float:
        """The value at time t: counters never decrease, buckets never exceed their count."""
        if self.kind == "up":
            return 1.0
        rhythm = 2 * math.pi * t / DAY + self.phase
        if self.kind == "gauge":
            noise = math.sin(t * 12.9898 + self.phase * 78.233)  # cheap, deterministic jitter
            return round(self.level * (1 + 0.3 * math.sin(rhythm) + 0.05 * noise), 3)
        # the integral of level * (1 + 0.5 sin(rhythm)) from 0: a daily rhythm that never goes negative
        count = self.level * (t - 0.5 * DAY / (2 * math.pi) * (math.cos(rhythm) - math.cos(self.phase)))
        if self.kind == "bucket":
            return float(math.floor(count * _share_below(self.bound)))
        if self.kind == "sum":
            return round(count * self.bound, 3)
        return float(math.floor(count))


def _share_below(bound: float) -> float:
    """Share of observations at or below bound: log-normal around 1/10 of the bucket range's unit."""
    if math.isinf(bound):
        return 1.0
    if bound <= 0:
        return 0.0
    return 0.5 * (1 + math.erf(math.log(bound / 0.1) / (1.2 * math.sqrt(2))))


def targets(source: Source, scale: float) -> list[Target]:
    """The instances exporting a source's metrics."""
    if source == Source.APPLICATION:
        pods = max(len(SERVICES), round(PODS_PER_SCALE * scale))
        return [Target(SERVICES[k % len(SERVICES)], f"10.0.{k // 250}.{k % 250 + 1}:8080", SERVICES[k % len(SERVICES)])
                for k in range(pods)]
    if source == Source.NODE_EXPORTER:
        hosts = max(1, round(HOSTS_PER_SCALE * scale))
        return [Target("node", f"10.1.{k // 250}.{k % 250 + 1}:9100") for k in range(hosts)]
    job = "obsgen-exporter" if source == Source.SIDECAR else source.value
    return [Target(job, f"{job}-{k}:9000") for k in range(REPLICAS)]


def _label_sets(metric: Metric, target: Target) -> Iterator[dict[str, str]]:
    """Every combination of the metric's own labels one target exports."""
    names = [label for label in metric.labels if label != "le"]
    axes: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = []
    for group, rows in ZIPPED:
        present = [label for label in group if label in names]
        if present:
            keep = [group.index(label) for label in present]
            axes.append((tuple(present), tuple(dict.fromkeys(tuple(row[k] for k in keep) for row in rows))))
            names = [label for label in names if label not in present]
    for label in names:
        values: tuple[str, ...]
        if label == "device":
            values = next((v for prefix, v in DEVICES.items() if metric.name.startswith(prefix)), ("dev-0",))
        elif label == "service" and target.service:
            values = (target.service,)  # a pod serves its own service
        else:
            values = VALUES.get(label, tuple(f"{label}-{k}" for k in range(OTHER_VALUES)))
        axes.append(((label,), tuple((value,) for value in values)))
    for combination in itertools.product(*(rows for _, rows in axes)):
        labels: dict[str, str] = {}
        for (group, _), row in zip(axes, combination, strict=True):
            labels.update(zip(group, row, strict=True))
        yield labels


def _exports(metric: Metric, target: Target) -> bool:
    """Whether a target exports the metric: application metrics without a service label come from the api pods."""
    return metric.source != Source.APPLICATION or "service" in metric.labels or target.service == "api"


def metric_series(metric: Metric, scale: float, seed: int) -> list[Series]:
    """Every series of one metric across the fleet."""
    rng = random.Random(f"{seed}:{metric.name}")
    found = []
    for target in targets(metric.source, scale):
        if not _exports(metric, target):
            continue
        for own in _label_sets(metric, target):
            labels = {**own, "job": target.job, "instance": target.instance}
            level, phase = rng.uniform(0.5, 20.0), rng.uniform(0, 2 * math.pi)
            found += _family(metric, labels, level, phase)
    return found


def _family(metric: Metric, labels: dict[str, str], level: float, phase: float) -> list[Series]:
    def make(name: str, kind: str, extra: dict[str, str], bound: float = math.inf) -> Series:
        return Series(name, tuple(sorted({**labels, **extra}.items())), kind, level, phase, bound)

    if metric.type == MetricType.HISTOGRAM:
        bounds = metric.buckets or (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
        return [*(make(metric.name + "_bucket", "bucket", {"le": f"{b:g}"}, b) for b in bounds),
                make(metric.name + "_bucket", "bucket", {"le": "+Inf"}),
                make(metric.name + "_sum", "sum", {}, 0.1), make(metric.name + "_count", "count", {})]
    if metric.type == MetricType.SUMMARY:
        return [make(metric.name, "gauge", {"quantile": q}) for q in ("0.5", "0.9", "0.99")] + [
            make(metric.name + "_sum", "sum", {}, 0.1), make(metric.name + "_count", "count", {})]
    return [make(metric.name, "counter" if metric.type == MetricType.COUNTER else "gauge", {})]


def up_series(sources: set[Source], scale: float) -> list[Series]:
    """`up` of every target that exports one of the sources."""
    return [Series("up", (("instance", t.instance), ("job", t.job)), "up", 1.0, 0.0)
            for source in sorted(sources) for t in targets(source, scale)]
