"""`obsgen forecast report`: every forecast's findings now, and the recommendations, as a table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from generator.exporter.cache import label_text, labels_of
from generator.exporter.forecast_job import predictions
from generator.exporter.jobs import JobFailed
from generator.exporter.predict import Prediction
from generator.exporter.prometheus_api import PrometheusClient
from generator.model import Forecast

ANOMALY_Z = 3.0


@dataclass(frozen=True)
class ForecastReport:
    """One forecast's predictions, or why there are none."""

    forecast: Forecast
    predictions: tuple[Prediction, ...]
    error: str = ""


def collect(forecasts: Sequence[Forecast], client: PrometheusClient, wall_time: float) -> list[ForecastReport]:
    """Run every forecast once, as the exporter would at `wall_time`."""
    reports = []
    for forecast in forecasts:
        try:
            reports.append(ForecastReport(forecast, tuple(predictions(forecast, client, wall_time))))
        except JobFailed as error:
            reports.append(ForecastReport(forecast, (), str(error)))
    return reports


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"


def _series(prediction: Prediction) -> str:
    return "{" + label_text(labels_of(prediction.labels)) + "}"


def render(reports: Sequence[ForecastReport]) -> str:
    """The report as text: a row per series, then anomalies and capacity recommendations."""
    rows = [("forecast", "series", "newest", "expected", "band", "z", "horizon")]
    anomalies, recommendations = [], []
    for report in reports:
        if report.error or not report.predictions:
            rows.append((report.forecast.name, report.error or "no series with data", "", "", "", "", ""))
        for p in report.predictions:
            band = f"{_number(p.lower)} .. {_number(p.upper)}"
            rows.append((report.forecast.name, _series(p), _number(p.newest), _number(p.expected), band,
                         _number(p.zscore), f"{_number(p.at_horizon)} in {report.forecast.horizon}"))
            if abs(p.zscore) > ANOMALY_Z:
                anomalies.append(f"{report.forecast.name} {_series(p)}: {_number(p.newest)} where "
                                 f"{_number(p.expected)} was expected (z = {p.zscore:.1f})")
            if p.recommendation is not None:
                recommendations.append(p.recommendation)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines += ["", f"anomalies (|z| > {ANOMALY_Z:g}):"] + [f"  {line}" for line in anomalies or ["none"]]
    recommendations.sort(key=lambda rec: rec.seconds_to_exhaustion)
    lines += ["", "capacity recommendations:"]
    lines += [f"  [{rec.severity}] {rec.message}" for rec in recommendations] or ["  none"]
    return "\n".join(lines) + "\n"
