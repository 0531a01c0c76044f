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
    """A configured exporter: its rendered exposition, its schedulers and its sources."""

    exposition: Exposition
    scheduler: Scheduler
    """The SQL queries, run from the start."""
    forecasts: Scheduler
    """The forecasts, run once Prometheus answers (it may start after the exporter)."""
    prometheus: PrometheusClient
    databases: Databases


def build(config: ExporterConfig, prometheus_url: str = "") -> Exporter:
    """Jobs for every query and forecast, collectors over their cache, and the self-metrics."""
    disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series double every counter for no use to Prometheus
    registry = CollectorRegistry()
    metrics = SelfMetrics.register(registry)
    if not config.forecasts:  # it never queries Prometheus: a 0 for ever would fire ForecastPrometheusDown for ever
        registry.unregister(metrics.prometheus_up)
    cache = ResultCache()
    databases = Databases(config.databases)
    client = PrometheusClient(prometheus_url or config.settings.prometheus_url,
                              parse_seconds(config.settings.prometheus_timeout))
    queries: list[Job] = [QueryJob(q, databases, metrics.database_up.labels(database=q.database))
                          for q in config.queries]
    computing = threading.Lock()
    forecasts: list[Job] = [ForecastJob(f, client, metrics.prometheus_up, computing) for f in config.forecasts]
    registry.register(business_collector(cache, config.queries))
    registry.register(forecast_collector(cache, [f.name for f in config.forecasts]))
    exposition = Exposition(registry, cache)
    return Exporter(exposition, Scheduler(queries, cache, metrics, on_change=exposition.invalidate),
                    Scheduler(forecasts, cache, metrics, on_change=exposition.invalidate), client, databases)


def serve(config: ExporterConfig, listen: str = "", prometheus_url: str = "") -> None:
    """Serve /metrics on `listen` (default: the configuration's) until SIGTERM or SIGINT, then stop cleanly."""
    allocator.limit_arenas()  # before any job thread allocates
    exporter = build(config, prometheus_url)
    host, _, port = (listen or config.settings.listen).rpartition(":")
    stop = StopRequested()
    exporter.exposition.start()
    exporter.scheduler.start()
    if config.forecasts:
        threading.Thread(target=_forecast_when_ready, args=(exporter, stop), name="obsgen-prometheus-wait",
                         daemon=True).start()
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
        exporter.forecasts.stop()
        exporter.exposition.stop()
        exporter.databases.dispose()


def _forecast_when_ready(exporter: Exporter, stop: StopRequested) -> None:
    """Start the forecasts once Prometheus answers: started together, the exporter would log every forecast's
    failure while Prometheus is still starting."""
    if exporter.prometheus.wait_ready(stop.wait):
        exporter.forecasts.start()
