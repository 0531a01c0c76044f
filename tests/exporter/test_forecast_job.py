"""A forecast run is held to its timeout: the query and the predictions share it, the wait for another forecast's
computation does not count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from generator.exporter.forecast import FloatArray
from generator.exporter.forecast_job import predictions, window
from generator.exporter.jobs import JobFailed, JobTimeout
from generator.exporter.predict import samples
from generator.exporter.prometheus_api import History, PrometheusClient, grid
from generator.model import Forecast
from tests.exporter.test_forecast_memory import _history

DAILY = Forecast(name="orders_rate", help="Orders placed per second.", expr="sum(rate(shop_orders_total[15m]))",
                 step="5m", season="1d", history="5d", horizon="1h", interval="1m", timeout="30s")
SERIES = 4


class Ticking:
    """A clock that moves `per_look` seconds each time it is read (a prediction's cost, without computing slowly)."""

    def __init__(self, per_look: float) -> None:
        self.now, self.per_look = 0.0, per_look

    def __call__(self) -> float:
        self.now += self.per_look
        return self.now


class FourSeries(PrometheusClient):
    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:1", timeout=1)

    def query_range(self, expr: str, start: float, end: float, step: float,
                    timeout: float | None = None) -> list[History]:
        size = grid(start, end, step).size
        return [History({"shop": f"s{index}"}, _history(size), end, step) for index in range(SERIES)]


def _run(per_look: float) -> int:
    return len(predictions(DAILY, FourSeries(), window(DAILY, 1e9)[1], clock=Ticking(per_look)))


def test_a_run_within_its_timeout_predicts_every_series() -> None:
    assert _run(per_look=2.0) == SERIES


def test_a_run_past_its_timeout_is_given_up_between_two_series() -> None:
    with pytest.raises(JobTimeout, match=r"predicted 2 of 4 series within its timeout 30s"):
        _run(per_look=9.0)  # the clock is read 3 times before the first series, then once per series


class HourLongWait:
    """The lock the forecasts share, taken after another forecast computed for an hour."""

    def __init__(self, clock: Ticking) -> None:
        self.clock = clock

    def __enter__(self) -> None:
        self.clock.now += 3600

    def __exit__(self, *_: object) -> None:
        """Released."""


def test_the_wait_for_another_forecasts_computation_is_not_the_runs() -> None:
    clock = Ticking(per_look=2.0)
    waited = HourLongWait(clock)
    assert len(predictions(DAILY, FourSeries(), window(DAILY, 1e9)[1], waited, clock=clock)) == SERIES  # type: ignore[arg-type]


FILLING = Forecast(name="disk_free", help="Free bytes.", expr="node_filesystem_avail_bytes", step="5m", season="1d",
                   history="3d", horizon="1d", interval="10m", timeout="30s",
                   capacity={"limit": 0, "direction": "down", "resource": "disk",
                             "name_labels": ("instance", "mountpoint")})


def _filling(start: float, end: float, step: float) -> FloatArray:
    """Free bytes of a filesystem filling towards full 12 hours after the history's end."""
    times = grid(start, end, step)
    free: FloatArray = 1e10 * (end + 12 * 3600 - times) / (end + 12 * 3600 - times[0])
    return free


class FillingDisks(PrometheusClient):
    """Three filesystems filling towards full 12 hours after the history's end: one still scraped, one whose newest
    grid point missed its samples (a node-exporter restarting), one gone since a day (its host decommissioned)."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:1", timeout=1)

    def query_range(self, expr: str, start: float, end: float, step: float,
                    timeout: float | None = None) -> list[History]:
        filling = _filling(start, end, step)
        restarting, gone = filling.copy(), filling.copy()
        restarting[-1:] = np.nan
        gone[-int(86_400 // step):] = np.nan
        return [History({"instance": name, "mountpoint": "/data"}, values, end, step)
                for name, values in (("scraped", filling), ("restarting", restarting), ("gone", gone))]


def test_a_series_prometheus_no_longer_has_is_not_forecast_as_if_it_were_current() -> None:
    """A filesystem gone for a day (its host decommissioned, its labels renamed) kept its forecast and its time to
    exhaustion, 12 hours as when last seen: CapacityExhaustedSoon paged about a disk that no longer exists for the
    whole history (2 weeks for the shipped disk_free). A series is forecast while its newest sample is within the
    forecast's stale_after (a step at least, so one missed grid point keeps it)."""
    found = {p.labels["instance"]: p for p in predictions(FILLING, FillingDisks(), window(FILLING, 1e9)[1])}
    assert sorted(found) == ["restarting", "scraped"]
    assert found["scraped"].recommendation is not None
    assert found["scraped"].recommendation.seconds_to_exhaustion < 86_400


class RenamedDisk(FillingDisks):
    """node-exporter 0.16's rename of node_filesystem_free to node_filesystem_avail_bytes, two days ago (both
    names served for a day, then the old one dropped): query_range returns both series for the whole history."""

    def query_range(self, expr: str, start: float, end: float, step: float,
                    timeout: float | None = None) -> list[History]:
        old, new = _filling(start, end, step), _filling(start, end, step)
        old[-int(86_400 // step):] = np.nan
        new[:int(86_400 // step)] = np.nan
        return [History({"instance": "db-1", "mountpoint": "/data"}, values, end, step, name)
                for name, values in (("node_filesystem_free", old), ("node_filesystem_avail_bytes", new))]


def test_a_renamed_series_is_forecast_under_its_new_name_alone() -> None:
    """Both names of a renamed series have the same labels: the old one, gone for a day, failed every run ("returns
    node_filesystem_free and node_filesystem_avail_bytes with the same labels") until it left the history, though
    only the new one, still current, is forecast and exported."""
    renamed = FILLING.model_copy(update={"expr": '{__name__=~"node_filesystem_free|node_filesystem_avail_bytes"}'})
    (found,) = predictions(renamed, RenamedDisk(), window(renamed, 1e9)[1])
    assert found.labels == {"instance": "db-1", "mountpoint": "/data"}


def test_series_gone_do_not_count_against_max_series() -> None:
    """Labels that churn (a pod per deploy, a host replaced) leave series gone in the history's window: they were
    counted against max_series although never forecast, and the run failed ('returned 3 series, more than
    max_series=2') while it had two series to forecast."""
    two = FILLING.model_copy(update={"max_series": 2})
    assert sorted(p.labels["instance"] for p in predictions(two, FillingDisks(), window(two, 1e9)[1])) == [
        "restarting", "scraped"]
    with pytest.raises(JobFailed, match=r"returned 2 current series \(and 1 gone\), more than max_series=1"):
        predictions(FILLING.model_copy(update={"max_series": 1}), FillingDisks(), window(FILLING, 1e9)[1])


EVERY_MINUTE = Forecast(name="queue_depth", help="Jobs waiting.", expr="queue_depth", step="1m", season=None,
                        history="6h", horizon="1h", interval="1m", timeout="30s")


class Answering(PrometheusClient):
    """Prometheus' query_range answer, read by the client's own parsing: `value(t)` is the sample at grid time t, as
    the JSON string Prometheus writes ("NaN" included), None where Prometheus has none."""

    def __init__(self, value: Callable[[float], str | None]) -> None:
        super().__init__("http://127.0.0.1:1", timeout=1)
        self.value = value

    def _get(self, params: dict[str, str], timeout: float) -> list[dict[str, Any]]:
        times = grid(float(params["start"]), float(params["end"]), float(params["step"]))
        points = [[t, v] for t in times if (v := self.value(float(t))) is not None]
        return [{"metric": {"__name__": "queue_depth", "queue": "mail"}, "values": points}]


def test_a_series_sampled_more_slowly_than_the_lookback_is_forecast_at_every_run() -> None:
    """A series scraped (or recorded) every 10 minutes has a sample on the 1m grid for the 5 minutes of Prometheus'
    lookback after each, none for the next 5: its newest sample was up to 5 minutes old, and the forecast, run every
    minute (stale_after 3m), dropped it at 2 runs out of 10 and forecast it again at the next."""
    client = Answering(lambda t: "12" if t % 600 < 300 else None)
    runs = [len(predictions(EVERY_MINUTE, client, 1e9 + 60 * minute)) for minute in range(10)]
    assert runs == [1] * 10


def test_a_nan_value_is_a_sample_not_the_series_gone() -> None:
    """A ratio is 0/0 (NaN) while nothing happens, a quiet night: Prometheus returns the series with NaN values, and
    the forecast dropped it as gone once they were older than stale_after."""
    quiet_since = 1e9 - 2 * 3600
    client = Answering(lambda t: "NaN" if t >= quiet_since else "0.25")
    (found,) = predictions(EVERY_MINUTE, client, 1e9)
    assert found.labels == {"queue": "mail"}


def _exporting_nan(since: float, full: float) -> Answering:
    """Free bytes falling by one a second to 0 at `full`, NaN from `since` on."""
    return Answering(lambda t: "NaN" if t >= since else f"{full - t:.0f}")


def test_a_series_answered_only_with_nan_keeps_its_forecast_but_not_a_capacity_from_its_old_values() -> None:
    """A dead exporter exporting NaN for the last 2 hours: Prometheus still returns the series (a NaN is a sample;
    stale markers are not returned), so it is current and forecast; but its time to exhaustion, extrapolated from
    values 2 hours old, stood as fresh (origin the grid's end) and counted down to CapacityExhaustedSoon. Its origin
    is now its newest value's, and it has no capacity; NaN for less than stale_after (3m) still has one."""
    filling = FILLING.model_copy(update={"step": "1m", "season": None, "history": "6h", "interval": "1m"})
    end = window(filling, 1e9)[1]
    for dead_for, has_capacity in ((2 * 3600.0, False), (120.0, True)):
        (found,) = predictions(filling, _exporting_nan(since=end - dead_for + 60, full=end + 6 * 3600), 1e9)
        assert found.origin == end - dead_for, dead_for
        assert (found.recommendation is not None) == has_capacity, dead_for
        exported = {sample.family for sample in samples(filling, found)}
        assert ("obsgen_capacity_seconds_to_exhaustion" in exported) == has_capacity, exported
        assert "obsgen_forecast" in exported and found.newest == 6 * 3600 + dead_for
