"""The exporter's memory stays flat: a prediction's temporaries are bounded, and forecasts compute one at a time."""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np

from generator.exporter.forecast_job import ForecastJob, window
from generator.exporter.predict import predict
from generator.exporter.prometheus_api import History, PrometheusClient, grid
from generator.model import Forecast

WEEKLY = Forecast(name="orders_rate", help="Orders placed per second.", expr="sum(rate(shop_orders_total[15m]))",
                  step="5m", season="1w", history="5w", horizon="1d")
PEAK_BUDGET = 24e6
"""Bytes a prediction may hold at once; 4-million-row chunks used to take 70 MB (issue 21)."""


def _history(size: int) -> np.ndarray:
    rng = np.random.default_rng(21)
    values = 5 + np.sin(np.arange(size) * 2 * np.pi / 288) + rng.normal(0, 0.1, size)
    values[: size // 2] = np.nan  # a stack younger than the history asked for: the older half is missing
    return values


class OneSeries(PrometheusClient):
    """Answers every query_range with the same series, as Prometheus would for a one-series expression."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:1", timeout=1)

    def query_range(self, expr: str, start: float, end: float, step: float,
                    timeout: float | None = None) -> list[History]:
        return [History({}, _history(grid(start, end, step).size), end, step)]


def test_a_prediction_over_five_weeks_of_five_minute_steps_holds_under_24_mb_at_once() -> None:
    values = _history(10_080)
    tracemalloc.start()
    try:
        predict(WEEKLY, {}, values, 0.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\npeak of one prediction over {values.size} steps: {peak / 1e6:.1f} MB")
    assert peak < PEAK_BUDGET


def test_forecast_jobs_sharing_a_lock_compute_one_at_a_time() -> None:
    computing = threading.Lock()
    job = ForecastJob(WEEKLY, OneSeries(), up=_Up(), computing=computing)
    found: list[int] = []
    computing.acquire()  # another forecast is computing
    worker = threading.Thread(target=lambda: found.append(len(job.run(window(WEEKLY, 1e9)[1]))))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and not found, "the job must wait for the other forecast"
    computing.release()
    worker.join(30)
    assert found and found[0] > 0


class _Up:
    def set(self, value: float) -> None:
        """The source's up gauge; not read here."""
