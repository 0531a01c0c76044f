"""The exporter's commands (obsgen exporter, obsgen demo-db, obsgen forecast report); heavy imports stay lazy."""

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from generator.core.terminal import said
from generator.core.wording import counted

if TYPE_CHECKING:
    from generator.exporter.config import ExporterConfig

CONFIG = typer.Option(Path("out/exporter/exporter.yml"), "--config", "-c", help="Exporter configuration.")
PROMETHEUS_URL = typer.Option("", "--prometheus-url", envvar="PROMETHEUS_URL",
                              help="Overrides the configuration's Prometheus URL.")
ONLY = typer.Option([], "--forecast", help="Only these forecasts (repeatable).")

forecast_app = typer.Typer(help="Forecasts, anomaly bands and capacity predictions from Prometheus history.",
                           no_args_is_help=True)


def _require_extra() -> None:
    """The exporter's numerical and SQL stack is an extra: without it, say how to install it (no traceback)."""
    try:
        import numpy  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        typer.echo("error: the sidecar exporter needs its extra: pip install 'obsgen[exporter]'", err=True)
        raise typer.Exit(1) from None


def _prometheus_url(url: str) -> str:
    """--prometheus-url (or PROMETHEUS_URL) held to the configuration's rules: exit 2 otherwise."""
    from generator.model.exporter import plain_prometheus_url

    try:
        return plain_prometheus_url(url) if url else url
    except ValueError as error:
        typer.echo(f"error: --prometheus-url / PROMETHEUS_URL: {error}", err=True)
        raise typer.Exit(2) from None


def _load(config: Path) -> "ExporterConfig":
    from generator.exporter.config import ConfigError, load_config

    try:
        return load_config(config)
    except ConfigError as error:
        typer.echo(f"error: {said(str(error))}", err=True)
        raise typer.Exit(2) from None


def exporter(config: Path = CONFIG,
             listen: str = typer.Option("", "--listen", help="host:port; overrides the configuration's."),
             prometheus_url: str = PROMETHEUS_URL) -> None:
    """Run the sidecar exporter: SQL business metrics and forecasts, served from a cache on /metrics."""
    _require_extra()
    import logging  # the server's logs only: `obsgen --help` does not pay for the logging package

    from generator.exporter.server import serve

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    serve(_load(config), listen, _prometheus_url(prometheus_url))


def demo_db(dsn: str = typer.Option("sqlite:///shop-demo.db", "--dsn", envvar="SHOP_DATABASE_URL",
                                    help="SQLAlchemy URL of the database to (re)create."),
            days: float = typer.Option(14.0, "--days", min=0, help="Days of history to write."),
            seed: int = typer.Option(7, "--seed", help="Random seed (same seed, same data)."),
            trickle: bool = typer.Option(False, "--trickle", help="Keep writing new sessions live until stopped."),
            ) -> None:
    """Create the demo e-commerce/RAG database (drops its tables first) with seasonal history."""
    _require_extra()
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from generator.exporter.demo_db import create
    from generator.exporter.signals import StopRequested
    from generator.exporter.sql import driver_reason, normalise_url

    try:
        engine = create_engine(normalise_url(dsn))
    except ValueError as error:
        typer.echo(f"error: --dsn: {error}", err=True)
        raise typer.Exit(2) from None
    started = time.perf_counter()
    try:
        shop, written = create(engine, days, seed)
    except SQLAlchemyError as error:  # unreachable, a directory that does not exist, no right to write
        typer.echo(f"error: cannot write the demo database at {engine.url.render_as_string()}: "
                   f"{driver_reason(error, engine)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"demo-db: {counted(written, 'session')} over {counted(days, 'day')} written to "
               f"{engine.url.render_as_string()} in {time.perf_counter() - started:.1f} s")
    if trickle:
        stop = StopRequested()
        typer.echo("demo-db: writing new sessions every second until stopped (Ctrl-C)")
        shop.trickle(stop)
    engine.dispose()


def forecast_report(config: Path = CONFIG, prometheus_url: str = PROMETHEUS_URL,
                    at: float = typer.Option(0.0, "--at", help="Unix time to report at (default: now)."),
                    only: list[str] = ONLY) -> None:
    """Every forecast's findings now: expected values, bands, anomalies and capacity recommendations."""
    _require_extra()
    from generator.core.duration import parse_seconds
    from generator.exporter.prometheus_api import PrometheusClient
    from generator.exporter.report import collect, render

    prometheus_url = _prometheus_url(prometheus_url)
    loaded = _load(config)
    forecasts = [f for f in loaded.forecasts if not only or f.name in only]
    client = PrometheusClient(prometheus_url or loaded.settings.prometheus_url,
                              parse_seconds(loaded.settings.prometheus_timeout))
    reports = collect(forecasts, client, at or time.time())
    typer.echo(said(render(reports)), nl=False)  # names and labels from the config and Prometheus
    if any(report.error for report in reports):
        raise typer.Exit(1)
