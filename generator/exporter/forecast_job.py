"""Forecast runs: read a Forecast's history from Prometheus and predict every series it returns."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from generator.core.duration import parse_seconds
from generator.exporter.cache import Labels, Sample, label_text, labels_of
from generator.exporter.forecast import InsufficientDataError
from generator.exporter.jobs import STOPPED, Job, JobFailed, JobTimeout, UpGauge
from generator.exporter.predict import Prediction, predict, samples
from generator.exporter.prometheus_api import History, PrometheusClient
from generator.model import Forecast


def window(forecast: Forecast, wall_time: float) -> tuple[float, float, float]:
    """(start, end, step) of the history a run at `wall_time` reads: the grid ends at the last whole step."""
    step = parse_seconds(forecast.step)
    end = math.floor(wall_time / step) * step
    return end - parse_seconds(forecast.history) + step, end, step


REGULAR_GAPS = 24
"""Gaps between a series' samples, in its history, from which they are how it is sampled rather than outages (a
node-exporter restarting every day or two leaves fewer in the shipped two weeks)."""


def current(history: History, within: float) -> bool:
    """Whether Prometheus still has the series: its newest sample is `within` seconds of the grid's end, or of the
    gap its samples usually leave (usual_gap). A sample is one Prometheus returned, NaN included (a ratio's 0/0 on a
    quiet night is a value, not the series gone).

    A series gone (its host decommissioned, its labels renamed) stays in query_range's answer for as long as
    the history reaches back, its last values then NaN: forecast as if current, its time to exhaustion from the
    day it vanished paged CapacityExhaustedSoon about a disk that no longer exists, for the whole history."""
    return _recent(np.isfinite(history.values) if history.answered is None else history.answered, history.step, within)


def valued(history: History, within: float) -> bool:
    """Whether the series still has a value, not only NaN: its newest finite sample is as recent as current asks of
    its newest sample. A series Prometheus answers only with NaN for longer (an exporter exporting NaN, its source
    gone) is still there (current), but a time to exhaustion from its last value is about the resource as it was:
    extrapolated past the data, it counted down to CapacityExhaustedSoon about data not seen for days (PromQL's
    own comparison with NaN is false, so the threshold alerts on that series stay quiet alike)."""
    return _recent(np.isfinite(history.values), history.step, within)


def newest_value_at(history: History) -> float:
    """Grid time of the series' newest finite sample, the newest a forecast learns from (the grid's end without)."""
    finite = np.flatnonzero(np.isfinite(history.values))
    return history.end - (history.values.size - 1 - int(finite[-1])) * history.step if finite.size else history.end


def _recent(seen: npt.NDArray[np.bool_], step: float, within: float) -> bool:
    points = np.flatnonzero(seen)
    if not points.size:
        return False
    age = (seen.size - 1 - int(points[-1])) * step
    return age <= max(within, usual_gap(points) * step)


def usual_gap(points: npt.NDArray[np.intp]) -> float:
    """Grid steps a series usually goes without a sample, from the grid points it has one at: the 90th percentile of
    its gaps once it has REGULAR_GAPS of them, else 0. A series sampled more slowly than Prometheus' lookback (5m;
    a 10m scrape or rule interval) has none at every other stretch of grid points, a gap of that interval less 5m:
    under a forecast's stale_after (3m when it runs every minute) it was dropped and forecast again on every run."""
    gaps = np.diff(points) - 1
    gaps = gaps[gaps > 0]
    return float(np.quantile(gaps, 0.9, method="higher")) if gaps.size >= REGULAR_GAPS else 0.0


def predictions(forecast: Forecast, client: PrometheusClient, wall_time: float,
                computing: threading.Lock | None = None,
                clock: Callable[[], float] = time.monotonic) -> list[Prediction]:
    """A prediction per series the forecast's PromQL returns and still has (series without any sample, or whose
    newest one is older than the forecast's stale_after, a step at least, and than their usual gap, are skipped, and
    not counted against max_series; what is fetched is bounded by prometheus_api.ANSWER_BYTES).

    `computing`, when given, is held while predicting: jobs sharing it compute one at a time. The query and the
    predictions share the forecast's timeout (the wait for `computing` is another job's, held to its own): the
    run is given up between two series once it is spent, so it ends at most one series' prediction late.
    """
    began = clock()
    timeout = parse_seconds(forecast.timeout)
    start, end, step = window(forecast, wall_time)
    fetched = client.query_range(forecast.expr, start, end, step, timeout=timeout)
    # one missed grid point (a target restarting over it) keeps a series; older, its results would be stale
    within = max(step, parse_seconds(forecast.stale_after))
    histories = [history for history in fetched if current(history, within)]
    if len(histories) > forecast.max_series:  # series gone are not counted: labels that churn keep within it
        raise JobFailed(f"returned {len(histories)} current series (and {len(fetched) - len(histories)} gone), more "
                        f"than max_series={forecast.max_series}: aggregate the expression or raise max_series")
    distinct_without_names(histories)  # of the series exported: a renamed one's old name, gone, is not
    found = []
    left = timeout - (clock() - began)
    with computing or contextlib.nullcontext():
        deadline = clock() + left
        for done, history in enumerate(histories):
            if client.stopping.is_set():  # between two series: a stop never abandons a prediction half computed
                raise JobFailed(STOPPED)
            if clock() > deadline:
                raise JobTimeout(f"predicted {done} of {len(histories)} series within its timeout "
                                 f"{forecast.timeout}: raise timeout, or aggregate the expression")
            try:
                found.append(predict(forecast, history.labels, history.values, newest_value_at(history),
                                     capacity=valued(history, within)))
            except InsufficientDataError:
                continue
    return found


def distinct_without_names(histories: list[History]) -> None:
    """Fail when two series differ only by their metric name: the exported series are named by the forecast and
    the series' other labels, so they would be one series twice. Prometheus fails a recording rule alike ("vector
    contains metrics with the same labelset after applying rule labels")."""
    seen: dict[Labels, str] = {}
    for history in histories:
        key = labels_of(history.labels)
        if key in seen:
            names = " and ".join(name or "a series without a name" for name in (seen[key], history.name))
            raise JobFailed(f"returns {names} with the same labels {{{label_text(key)}}}: "
                            "an exported series is named by its labels alone; tell them apart with "
                            "label_replace or keep one")
        seen[key] = history.name


class ForecastJob(Job):
    """Recomputes one forecast on its schedule.

    Every forecast of an exporter is due at the same instants, and each prediction holds megabytes of
    temporaries: computing them one at a time (`computing`, shared by the exporter's forecast jobs)
    bounds the exporter's peak memory by one prediction's, where the worker threads would otherwise each
    keep their own high-water mark in the allocator.
    """

    def __init__(self, forecast: Forecast, client: PrometheusClient, up: UpGauge, computing: threading.Lock) -> None:
        super().__init__(forecast, up)
        self.forecast = forecast
        self._client = client
        self._computing = computing

    def run(self, wall_time: float) -> list[Sample]:
        """The samples of every series' prediction."""
        found = predictions(self.forecast, self._client, wall_time, self._computing)
        return [s for p in found for s in samples(self.forecast, p)]

    def interrupt(self) -> None:
        """Stop waiting for Prometheus, and computing after the series in progress: the exporter stops serving, so
        the run's result would be thrown away (the forecasts share the client, so all of them stop)."""
        self._client.stop()
