"""What the exporter computes for one series of a Forecast: forecast and band, anomaly scores, capacity."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from generator.core.duration import parse_seconds
from generator.exporter.anomaly import streaming_anomaly_scores
from generator.exporter.backtest import forecast_with_band
from generator.exporter.cache import Sample, labels_of
from generator.exporter.capacity import Recommendation, capacity_recommendation
from generator.exporter.forecast import FloatArray
from generator.model import Forecast


@dataclass(frozen=True)
class Prediction:
    """The findings for one series at its newest sample ("origin")."""

    labels: dict[str, str]
    origin: float
    newest: float
    expected: float
    lower: float
    upper: float
    at_horizon: float
    zscore: float
    score: float
    recommendation: Recommendation | None


def season_seconds(forecast: Forecast) -> float | None:
    """The forecast's season in the definitions' seconds, None without one."""
    return parse_seconds(forecast.season) * forecast.time_scale if forecast.season else None


def resource_name(labels: dict[str, str], name_labels: tuple[str, ...]) -> str:
    """How a recommendation names the resource: its naming labels' values, joined by ':'."""
    parts = [labels[label] for label in name_labels if labels.get(label)]
    return ":".join(parts) or "all"


def predict(forecast: Forecast, labels: dict[str, str], values: FloatArray, origin: float, *,
            capacity: bool = True) -> Prediction:
    """Call the forecasting core on a series whose newest finite sample is at `origin` (InsufficientDataError if
    empty); its capacity only with `capacity` (the caller's: the series still has a value, forecast_job.valued).

    The forecast and band are for the step after the newest sample (the step in progress); the
    anomaly scores judge the newest sample against its own one-step forecast. Steps, seasons and
    times to exhaustion are in the definitions' time (``time_scale``: a compressed demo's days pass
    in minutes, yet a day's season and a day's warning mean a day of the demo).
    """
    step, season = parse_seconds(forecast.step) * forecast.time_scale, season_seconds(forecast)
    band = forecast_with_band(values, step, season, forecast.steps(forecast.horizon), forecast.coverage)
    scores = streaming_anomaly_scores(values, step, season, since=len(values) - 1)
    recommendation = None
    if (limits := forecast.capacity) is not None and capacity:
        recommendation = capacity_recommendation(
            resource_name(labels, limits.name_labels), values, step, limits.limit,
            resource=limits.resource, direction=limits.direction,
            critical_seconds=parse_seconds(limits.critical_within),
            warning_seconds=parse_seconds(limits.warning_within), season_seconds=season,
        )
    finite = values[np.isfinite(values)]
    return Prediction(
        labels=labels, origin=origin, newest=float(finite[-1]) if finite.size else math.nan,
        expected=float(band.mean[0]), lower=float(band.lower[0]), upper=float(band.upper[0]),
        at_horizon=float(band.mean[-1]), zscore=float(scores.z[-1]), score=float(scores.score[-1]),
        recommendation=recommendation,
    )


OWN_LABELS = frozenset({"forecast", "resource", "severity", "message"})
"""The labels the exporter sets on what it exports (resource, severity and message on a recommendation)."""


def exported_labels(labels: dict[str, str]) -> dict[str, str]:
    """A series' labels as exported beside the exporter's own: one of OWN_LABELS is kept as exported_<name>
    (exported_exported_<name> if that is taken, and so on), as Prometheus keeps a scraped label that clashes with
    a target label (honor_labels: false). Two series that differ only there stay two exported series; every
    family of one series carries the same labels."""
    exported = {}
    for name, value in labels.items():
        renamed = name
        while renamed in OWN_LABELS or (renamed != name and renamed in labels):
            renamed = f"exported_{renamed}"
        exported[renamed] = value
    return exported


def samples(forecast: Forecast, prediction: Prediction) -> list[Sample]:
    """The exported samples of a prediction; undefined (NaN) values are left out, never exported."""
    base = {**exported_labels(prediction.labels), "forecast": forecast.name}
    values = {
        "obsgen_forecast": prediction.expected,
        "obsgen_forecast_lower": prediction.lower,
        "obsgen_forecast_upper": prediction.upper,
        "obsgen_forecast_at_horizon": prediction.at_horizon,
        "obsgen_forecast_origin_timestamp_seconds": prediction.origin,
        "obsgen_anomaly_zscore": prediction.zscore,
        "obsgen_anomaly_score": prediction.score,
    }
    found = [Sample(family, labels_of(base), value) for family, value in values.items() if not math.isnan(value)]
    if (rec := prediction.recommendation) is not None:
        found.append(Sample("obsgen_capacity_seconds_to_exhaustion", labels_of(base), rec.seconds_to_exhaustion))
        info = {**base, "resource": rec.resource, "severity": rec.severity, "message": rec.message}
        found.append(Sample("obsgen_recommendation_info", labels_of(info), 1.0))
    return found

