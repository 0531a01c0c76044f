"""The worlds scenarios are made of: a shop's business series, hosts, and a healthy metrics pipeline.

Each builder returns promtool input series (selector -> values) sampled every `step` minutes for `minutes`
minutes. Business traffic follows the demo database's daily and weekly shape (generator/exporter/demo_db.py:
lunch and evening peaks, quiet nights, busier weekends) with Poisson noise, so "normal" is as noisy as a
real week; a fixed seed keeps every run identical.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from generator.exporter.demo_db import session_rate

EXPORTER_CONFIG = Path(__file__).resolve().parents[2] / "out/exporter/exporter.yml"
MONDAY = 1_704_067_200.0
"""2024-01-01 00:00 UTC, a Monday: every scenario starts at midnight on a Monday."""
JOB = "api"
SEGMENTS = {"new": 0.55, "returning": 0.35, "vip": 0.10}
CONVERSION = 0.10
ORDER_VALUE = {"books": (0.2, 28.0), "electronics": (0.3, 180.0), "home": (0.5, 45.0)}
"""Per category: share of orders, mean order value."""

Values = list[float | None]
"""One value per step; None is a missing sample, float('nan') a stale marker (the series vanished)."""
STALE = float("nan")


def promtool_values(values: Sequence[float | None]) -> str:
    """promtool's input notation, runs of one value written as `vxN`."""
    words: list[str] = []
    index = 0
    while index < len(values):
        value = values[index]
        run = 1
        while index + run < len(values) and _same(values[index + run], value):
            run += 1
        word = "_" if value is None else "stale" if value != value else f"{value:.10g}"
        words.append(word if run == 1 else f"{word}x{run - 1}")
        index += run
    return " ".join(words)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (a != a and b != b)


@dataclass(frozen=True)
class Traffic:
    """Sessions per second over a scenario, as a multiple of the demo shop's seasonal rate."""

    scale: float = 25.0
    """25x the demo database's shop: about 90,000 sessions a day, 100 orders an hour at night."""
    seed: int = 7

    def sessions(self, minutes: int, step: int) -> np.ndarray:
        """Sessions started in each step (Poisson around the seasonal rate)."""
        starts = MONDAY + 60.0 * np.arange(0, minutes, step)
        expected = session_rate(starts + 30.0 * step) * 60.0 * step * self.scale
        return np.random.default_rng(self.seed).poisson(expected).astype(float)


def business(minutes: int, step: int, job: str = JOB, traffic: Traffic = Traffic(),
             conversion: Callable[[int], float] = lambda minute: CONVERSION,
             order_value: Callable[[int], float] = lambda minute: 1.0) -> dict[str, Values]:
    """The shop's counters (sessions, orders, revenue) as the application of `job` exports them.

    `conversion(minute)` and `order_value(minute)` (a multiple of the usual value) shape a fault.
    """
    rng = np.random.default_rng(traffic.seed + 1)
    sessions = traffic.sessions(minutes, step)
    minute_of = np.arange(0, minutes, step)
    orders = rng.binomial(sessions.astype(int), [conversion(int(m)) for m in minute_of]).astype(float)
    value = np.array([order_value(int(m)) for m in minute_of])
    series: dict[str, Values] = {}
    for segment, share in SEGMENTS.items():
        series[f'sales_sessions_total{{job="{job}",user_segment="{segment}"}}'] = _cumulative(sessions * share)
        for category, (order_share, _) in ORDER_VALUE.items():
            selector = f'sales_conversions_total{{job="{job}",product_category="{category}",user_segment="{segment}"}}'
            series[selector] = _cumulative(orders * share * order_share)
    for category, (order_share, mean_value) in ORDER_VALUE.items():
        amounts = rng.gamma(2.0, mean_value / 2.0, orders.size) * orders * order_share * value
        series[f'revenue_total{{job="{job}",product_category="{category}"}}'] = _cumulative(amounts)
    return series


def _cumulative(increments: np.ndarray) -> Values:
    return [round(float(v), 2) for v in np.cumsum(increments)]


def vanish(series: dict[str, Values], names: Sequence[str], at_minute: int, step: int) -> dict[str, Values]:
    """The series of these names (every series if none) stop being exported at `at_minute`: a stale marker,
    then no samples."""
    cut = at_minute // step
    vanished = {}
    for selector, values in series.items():
        if selector.split("{")[0] in names or not names:
            values = [*values[:cut], STALE, *([None] * (len(values) - cut - 1))]
        vanished[selector] = values
    return vanished


def gap(series: dict[str, Values], start_minute: int, end_minute: int, step: int) -> dict[str, Values]:
    """No sample of any series between the two minutes (Prometheus was down and scraped nothing)."""
    first, last = start_minute // step, end_minute // step
    return {s: [None if first <= i < last else v for i, v in enumerate(values)] for s, values in series.items()}


def hosts(minutes: int, step: int, busy: Callable[[int], float] = lambda minute: 0.35,
          instance: str = "web-1") -> dict[str, Values]:
    """One host: its node-exporter up, idle CPU seconds (busy(minute) is the busy share), memory at 60% used, the
    root filesystem 40% free."""
    idle: Values = []
    total = 0.0
    for minute in range(0, minutes, step):
        total += 60.0 * step * (1 - busy(minute))
        idle.append(round(total, 3))
    root = f'instance="{instance}",device="/dev/sda1",fstype="ext4",mountpoint="/"'
    return {
        f'up{{job="node",instance="{instance}"}}': [1.0] * len(idle),  # its node-exporter, scraped
        f'node_cpu_seconds_total{{instance="{instance}",cpu="0",mode="idle"}}': idle,
        f'node_memory_MemAvailable_bytes{{instance="{instance}"}}': [4e9] * len(idle),
        f'node_memory_MemTotal_bytes{{instance="{instance}"}}': [1e10] * len(idle),
        f'node_filesystem_avail_bytes{{{root}}}': [4e10] * len(idle),
        f'node_filesystem_size_bytes{{{root}}}': [1e11] * len(idle),
        f'node_filesystem_readonly{{{root}}}': [0.0] * len(idle),
    }


PIPELINE_JOBS = ("prometheus", "alertmanager", "api", "obsgen-exporter", "grafana", "loki", "tempo",
                 "otel-collector", "otel-collector-span-metrics", "jaeger")


def _counting(count: int, per_step: float) -> Values:
    """A counter's first `count` samples, per_step more at each."""
    return [per_step * i for i in range(count)]


def pipeline(minutes: int, step: int) -> dict[str, Values]:
    """A healthy metrics pipeline: every target up, rules evaluating, alerts and notifications delivered."""
    count = len(range(0, minutes, step))
    series: dict[str, Values] = {f'up{{job="{job}",instance="{job}:9090"}}': [1.0] * count for job in PIPELINE_JOBS}
    prometheus = 'job="prometheus",instance="prometheus:9090"'
    alertmanager = 'job="alertmanager",instance="alertmanager:9093"'
    series |= {
        f'prometheus_config_last_reload_successful{{{prometheus}}}': [1.0] * count,
        f'alertmanager_config_last_reload_successful{{{alertmanager}}}': [1.0] * count,
        f'prometheus_rule_evaluations_total{{{prometheus},rule_group="alerts"}}': _counting(count, 4.0 * step),
        f'prometheus_rule_evaluation_failures_total{{{prometheus},rule_group="alerts"}}': [0.0] * count,
        f'prometheus_rule_group_iterations_missed_total{{{prometheus},rule_group="alerts"}}': [0.0] * count,
        f'prometheus_notifications_sent_total{{{prometheus},alertmanager="http://alertmanager:9093/api/v2/alerts"}}':
            _counting(count, 2.0 * step),
        f'prometheus_notifications_errors_total{{{prometheus},alertmanager="http://alertmanager:9093/api/v2/alerts"}}':
            [0.0] * count,
        # the shipped definitions' pair (Stack.alertmanagers): fewer is PrometheusAlertmanagersMissing
        f'prometheus_notifications_alertmanagers_discovered{{{prometheus}}}': [2.0] * count,
        f'prometheus_notifications_dropped_total{{{prometheus}}}': [0.0] * count,
        f'alertmanager_notifications_total{{{alertmanager},integration="email"}}': _counting(count, 0.5 * step),
        f'alertmanager_notifications_failed_total{{{alertmanager},integration="email"}}': [0.0] * count,
        f'prometheus_tsdb_reloads_failures_total{{{prometheus}}}': [0.0] * count,
        f'prometheus_tsdb_compactions_failed_total{{{prometheus}}}': [0.0] * count,
        'obsgen_database_up{job="obsgen-exporter",database="shop"}': [1.0] * count,
        'obsgen_query_runs_total{job="obsgen-exporter",query="shop_orders_total",database="shop",status="success"}':
            _counting(count, 2.0 * step),
        'obsgen_query_consecutive_failures{job="obsgen-exporter",query="shop_orders_total",database="shop"}':
            [0.0] * count,
        'obsgen_query_runs_missed_total{job="obsgen-exporter",query="shop_orders_total",database="shop"}':
            [0.0] * count,
        # both scores the exporter serves (generator/exporter/predict.py samples): the z-score swings past 1 as
        # residuals do, the score stays below 1 but for a lone sample above it now and then (a real week's score
        # has such blips; ForecastAnomaly must hold 10 minutes)
        'obsgen_anomaly_zscore{job="obsgen-exporter",forecast="revenue_hourly"}':
            [round(1.5 * math.sin(i / 7.0), 3) for i in range(count)],
        'obsgen_anomaly_score{job="obsgen-exporter",forecast="revenue_hourly"}':
            [1.6 if i % 97 == 50 else round(0.4 + 0.3 * math.sin(i / 7.0), 3) for i in range(count)],
        'obsgen_capacity_seconds_to_exhaustion{job="obsgen-exporter",forecast="disk_free",instance="web-1"}':
            [30 * 86400.0] * count,
    }
    return series | _stack(count, step)


def _stack(count: int, step: int) -> dict[str, Values]:
    """The rest of the stack healthy: Prometheus' queues, the Alertmanager pair's gossip, Grafana, the collector,
    Loki and Tempo serving and losing nothing."""
    zero: Values = [0.0] * count
    prometheus = 'job="prometheus",instance="prometheus:9090"'
    queue = f'{prometheus},remote_name="lts",url="http://lts/push"'
    collector = 'job="otel-collector",instance="otel-collector:8888"'
    loki = 'job="loki",instance="loki:3100"'
    route = 'http_route="/api/checkout",span_kind="SPAN_KIND_SERVER"'
    sent = _counting(count, 60.0 * step)
    return {
        f"prometheus_notifications_queue_length{{{prometheus}}}": zero,
        f"prometheus_notifications_queue_capacity{{{prometheus}}}": [10000.0] * count,
        f"prometheus_remote_storage_samples_total{{{queue}}}": _counting(count, 1000.0 * step),
        f"prometheus_remote_storage_samples_failed_total{{{queue}}}": zero,
        f"prometheus_remote_storage_highest_timestamp_in_seconds{{{prometheus}}}": sent,
        f"prometheus_remote_storage_queue_highest_sent_timestamp_seconds{{{queue}}}": sent,
        **{f'alertmanager_cluster_members{{job="alertmanager",instance="alertmanager-{n}:9093"}}': [2.0] * count
           for n in (1, 2)},
        'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
        'handler="/api/dashboards/uid/:uid",method="GET",status_code="200"}': _counting(count, 5.0 * step),
        f'otelcol_receiver_refused_spans_total{{{collector},receiver="otlp"}}': zero,
        f'otelcol_receiver_refused_log_records_total{{{collector},receiver="otlp"}}': zero,
        **{f'otelcol_exporter_{kind}_failed_{signal}_total{{{collector},exporter="otlp/tempo"}}': zero
           for kind in ("send", "enqueue") for signal in ("spans", "log_records")},
        f"otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total{{{collector}}}": zero,
        f'loki_discarded_samples_total{{{loki},tenant="fake",reason="rate_limited"}}': zero,
        f'loki_prometheus_rule_evaluation_failures_total{{{loki},rule_group="log-alerts"}}': zero,
        f'loki_prometheus_notifications_sent_total{{{loki},alertmanager="http://alertmanager-1:9093"}}':
            _counting(count, 0.5 * step),
        f'loki_prometheus_notifications_errors_total{{{loki},alertmanager="http://alertmanager-1:9093"}}': zero,
        'tempo_discarded_spans_total{job="tempo",instance="tempo:3200",tenant="single-tenant",reason="rate_limited"}':
            zero,
        # every critical request's trace kept: the span metrics of all spans and of the kept ones agree
        f'traces_span_metrics_calls_total{{job="tempo",service_name="api",{route},status_code="STATUS_CODE_OK"}}':
            _counting(count, 120.0 * step),
        f'traces_spanmetrics_calls_total{{job="otel-collector",service="api",{route}}}': _counting(count, 120.0 * step),
    }


def exported_orders(minutes: int, per_minute: int, refund_at: int) -> dict[str, Values]:
    """What the sidecar exporter serves every minute from the shipped counters over the orders table, on a shop
    placing `per_minute` orders a minute, except at minute `refund_at`, when no order is placed and one is refunded
    (its status changed): counting by status, that minute would show fewer completed orders than the one before."""
    queries = [query for query in yaml.safe_load(EXPORTER_CONFIG.read_text())["queries"]
               if query["type"] == "counter" and re.search(r"\bFROM orders\b", query["sql"])]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, created_at REAL)")
    series: dict[str, Values] = {}
    for minute in range(minutes):
        if minute == refund_at:
            db.execute("UPDATE orders SET status = 'refunded' WHERE id = 1")
        else:
            placed = [(60.0 * minute,)] * per_minute
            db.executemany("INSERT INTO orders (status, created_at) VALUES ('completed', ?)", placed)
        for query in queries:
            cursor = db.execute(query["sql"], {"now": 60.0 * minute})
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(columns, row, strict=True))
                labels = ",".join(f'{label}="{record[label]}"' for label in query.get("labels", []))
                selector = f'{query["name"]}{{job="obsgen-exporter"{"," + labels if labels else ""}}}'
                series.setdefault(selector, [None] * minutes)[minute] = float(record["value"])
    return series
