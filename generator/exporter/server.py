"""The exporter process: wire jobs, cache, collectors and the HTTP endpoint; run until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, disable_created_metrics

from generator.core.duration import parse_seconds
from generator.exporter import allocator
from generator.exporter.cache import ResultCache
from generator.exporter.collectors import business_collector, forecast_collector
from generator.exporter.config import ExporterConfig
from generator.exporter.exposition import Exposition
from generator.exporter.forecast_job import ForecastJob
from generator.exporter.http import HttpServer
from generator.exporter.jobs import Job
from generator.exporter.prometheus_api import PrometheusClient
from generator.exporter.scheduler import Scheduler, SelfMetrics
from generator.exporter.signals import StopRequested
from generator.exporter.sql import Databases, QueryJob

log = logging.getLogger("obsgen.exporter")


@dataclass
class Exporter:
    """A configured exporter: its rendered exposition, its scheduler and its databases."""

    exposition: Exposition
    scheduler: Scheduler
    databases: Databases


def build(config: ExporterConfig, prometheus_url: str = "") -> Exporter:
    """Jobs for every query and forecast, collectors over their cache, and the self-metrics."""
    disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series double every counter for no use to Prometheus
    registry = CollectorRegistry()
    metrics = SelfMetrics.register(registry)
    cache = ResultCache()
    databases = Databases(config.databases)
    client = PrometheusClient(prometheus_url or config.settings.prometheus_url,
                              parse_seconds(config.settings.prometheus_timeout))
    jobs: list[Job] = [QueryJob(q, databases, metrics.database_up.labels(database=q.database)) for q in config.queries]
    computing = threading.Lock()
    jobs += [ForecastJob(f, client, metrics.prometheus_up, computing) for f in config.forecasts]
    registry.register(business_collector(cache, config.queries))
    registry.register(forecast_collector(cache, [f.name for f in config.forecasts]))
    exposition = Exposition(registry, cache)
    return Exporter(exposition, Scheduler(jobs, cache, metrics, on_change=exposition.invalidate), databases)


def serve(config: ExporterConfig, listen: str = "", prometheus_url: str = "") -> None:
    """Serve /metrics on `listen` (default: the configuration's) until SIGTERM or SIGINT, then stop cleanly."""
    allocator.limit_arenas()  # before any job thread allocates
    exporter = build(config, prometheus_url)
    host, _, port = (listen or config.settings.listen).rpartition(":")
    stop = StopRequested()
    exporter.exposition.start()
    exporter.scheduler.start()
    httpd = HttpServer(exporter.exposition.app, host.strip("[]") or "127.0.0.1", int(port))
    httpd.start()
    log.info("serving %d queries and %d forecasts on http://%s:%d/metrics", len(config.queries),
             len(config.forecasts), host or "127.0.0.1", httpd.port)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("stopping")
        httpd.close()
        exporter.scheduler.stop()
        exporter.exposition.stop()
        exporter.databases.dispose()
