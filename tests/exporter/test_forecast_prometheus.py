"""Forecasts from a real Prometheus holding history: what the exporter serves is what the core computes."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from generator.core.duration import parse_seconds
from generator.exporter.anomaly import streaming_anomaly_scores
from generator.exporter.backtest import forecast_with_band
from generator.exporter.capacity import capacity_recommendation
from tests.exporter.conftest import ROOT, RunningExporter, named, one, running_exporter, write_config
from tests.servers import Server, free_port, prometheus

DAY = 86_400.0
HISTORY_DAYS = 15
DISK: dict[str, Any] = {"name": "disk_free", "defined_at": "definitions/test.py:2", "help": "Free bytes.",
        "expr": "demo_disk_free_bytes", "step": "10m", "season": "1d", "history": "7d", "horizon": "1d",
        "capacity": {"limit": 0, "direction": "down", "resource": "disk", "name_labels": ["instance", "mountpoint"]}}
# step 1m over 15 days is 21,600 points per series: two query_range requests, merged
REQUESTS: dict[str, Any] = {"name": "requests", "defined_at": "definitions/test.py:1", "help": "Requests per second.",
            "expr": "demo_requests", "step": "1m", "season": "1w", "history": "15d", "horizon": "6h",
            "coverage": 0.9}
# series whose own labels clash with the exporter's, twice alike but for `forecast`
LABELLED = {"name": "labelled", "defined_at": "definitions/test.py:3", "help": "Queue depth.",
            "expr": "demo_labelled", "step": "10m", "season": "1d", "history": "7d", "horizon": "1d",
            "capacity": {"limit": 0, "direction": "down", "resource": "queue", "name_labels": ["queue"]}}
# two metrics with equal labels (`or` would keep one of them): their histories must not merge, nor export one
# series twice
MERGED = {"name": "merged", "defined_at": "definitions/test.py:4", "help": "Disk bytes.",
          "expr": '{__name__=~"demo_disk_(free|size)_bytes"}', "step": "10m", "season": "1d", "history": "7d",
          "horizon": "1d"}
STATUSES = ("success", "error", "timeout")
CLASHING = 'queue="q1",severity="page",resource="cpu",message="hi",exported_forecast="older"'


def openmetrics_history(end: float, days: float) -> str:
    """One sample a minute: a seasonal request rate that spikes in its last 20 minutes, and two disks."""
    t = np.arange(end - days * DAY, end + 1, 60.0)
    rng = np.random.default_rng(3)
    hour = (t % DAY) / 3600
    weekend = ((np.floor(t / DAY) + 3) % 7) >= 5
    requests_rate = 100 + 60 * np.sin(2 * np.pi * (hour - 8) / 24) * np.where(weekend, 0.6, 1.0)
    requests_rate += rng.normal(0, 4, t.size)
    requests_rate[-20:] *= 2.5
    filling = 4e11 * (1 - (t - t[0]) / (t[-1] + 1.5 * DAY - t[0])) + rng.normal(0, 2e8, t.size)
    steady = 3e11 + rng.normal(0, 1e8, t.size)
    lines = ["# HELP demo_requests Requests per second.", "# TYPE demo_requests gauge"]
    lines += [f'demo_requests{{service="api"}} {v:.4f} {s:.0f}' for s, v in zip(t, requests_rate, strict=True)]
    lines += ["# HELP demo_disk_free_bytes Free bytes.", "# TYPE demo_disk_free_bytes gauge"]
    disks = (('instance="db-1",mountpoint="/data"', filling), ('instance="web-1",mountpoint="/"', steady))
    for labels, values in disks:
        lines += [f"demo_disk_free_bytes{{{labels}}} {v:.0f} {s:.0f}" for s, v in zip(t, values, strict=True)]
    lines += ["# HELP demo_disk_size_bytes Size.", "# TYPE demo_disk_size_bytes gauge"]
    for labels, _ in disks:
        lines += [f"demo_disk_size_bytes{{{labels}}} 5e11 {s:.0f}" for s in t]
    lines += ["# HELP demo_labelled Queue depth.", "# TYPE demo_labelled gauge"]
    for own in ("mine", "theirs"):
        lines += [f'demo_labelled{{{CLASHING},forecast="{own}"}} {v:.0f} {s:.0f}'
                  for s, v in zip(t, steady / 1e8, strict=True)]
    return "\n".join(lines) + "\n# EOF\n"


@contextmanager
def prometheus_with_history(workdir: Path, days: float, port: int = 0) -> Iterator[Server]:
    """A real prometheus whose TSDB holds `days` of history, made by promtool from OpenMetrics."""
    source = workdir / "history.om"
    source.write_text(openmetrics_history(math.floor(time.time() / 60) * 60 - 60, days))
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source),
                    str(workdir / "prometheus-data")], check=True, capture_output=True)
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    with prometheus(config, workdir, "--storage.tsdb.retention.time=60d", port=port) as server:
        yield server


@pytest.fixture(scope="module")
def history_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Prometheus with 15 days of history."""
    with prometheus_with_history(tmp_path_factory.mktemp("prometheus-history"), HISTORY_DAYS) as server:
        yield server


def fetch(server: Server, expr: str, start: float, end: float, step: float) -> dict[frozenset[tuple[str, str]], Any]:
    """query_range straight from Prometheus' API, in requests of at most 11,000 points, on the exporter's grid."""
    times = start + step * np.arange(round((end - start) / step) + 1)
    series: dict[frozenset[tuple[str, str]], Any] = {}
    for first in range(0, times.size, 11_000):
        chunk = times[first : first + 11_000]
        body = requests.get(f"{server.url}/api/v1/query_range", timeout=30, params={
            "query": expr, "start": f"{chunk[0]:.0f}", "end": f"{chunk[-1]:.0f}", "step": f"{step:.0f}"}).json()
        for item in body["data"]["result"]:
            labels = frozenset((k, v) for k, v in item["metric"].items() if k != "__name__")
            values = series.setdefault(labels, np.full(times.size, np.nan))
            for stamp, value in item["values"]:
                values[round((float(stamp) - start) / step)] = float(value)
    return series


def served(exporter_series: Any, family: str, forecast: str, labels: frozenset[tuple[str, str]]) -> float | None:
    """The exporter's sample of a forecast family for one learnt series."""
    return named(exporter_series, family).get(labels | {("forecast", forecast)})


def test_served_forecasts_bands_and_capacity_match_the_core(history_server: Server, tmp_path: Path) -> None:
    config = write_config(tmp_path / "exporter.yml", {"forecasts": [dict(REQUESTS), dict(DISK)]},
                          interval="1h", timeout="60s", stale_after="2h")

    with running_exporter(config, tmp_path, prometheus_url=history_server.url) as exporter:
        series = exporter.wait_for(lambda s: exporter.runs(s, "requests") + exporter.runs(s, "disk_free") == 2,
                                   120, "one successful run of each forecast")
        assert one(series, "obsgen_prometheus_up") == 1
        origins = {dict(k)["forecast"]: v for k, v in named(series, "obsgen_forecast_origin_timestamp_seconds").items()}
        for forecast in (REQUESTS, DISK):
            step, history = parse_seconds(forecast["step"]), parse_seconds(forecast["history"])
            season = parse_seconds(forecast["season"])
            origin = origins[forecast["name"]]
            histories = fetch(history_server, forecast["expr"], origin - history + step, origin, step)
            assert len(histories) == (1 if forecast is REQUESTS else 2)
            for labels, values in histories.items():
                band = forecast_with_band(values, step, season, round(parse_seconds(forecast["horizon"]) / step),
                                          forecast.get("coverage", 0.95))
                scores = streaming_anomaly_scores(values, step, season, since=len(values) - 1)
                expect = {"obsgen_forecast": band.mean[0], "obsgen_forecast_lower": band.lower[0],
                          "obsgen_forecast_upper": band.upper[0], "obsgen_forecast_at_horizon": band.mean[-1],
                          "obsgen_anomaly_zscore": scores.z[-1], "obsgen_anomaly_score": scores.score[-1]}
                for family, value in expect.items():
                    assert served(series, family, forecast["name"], labels) == pytest.approx(value, rel=1e-9), family
                assert band.lower[0] < band.mean[0] < band.upper[0]
        spike = frozenset({("service", "api")})
        zscore = served(series, "obsgen_anomaly_zscore", "requests", spike)
        assert zscore is not None and zscore > 3  # the last 20 minutes' spike

        origin = origins["disk_free"]
        disk = fetch(history_server, DISK["expr"], origin - 7 * DAY + 600, origin, 600.0)
        filling = frozenset({("instance", "db-1"), ("mountpoint", "/data")})
        rec = capacity_recommendation("db-1:/data", disk[filling], 600.0, 0.0, resource="disk", direction="down",
                                      season_seconds=parse_seconds(DISK["season"]))
        assert served(series, "obsgen_capacity_seconds_to_exhaustion", "disk_free", filling) == pytest.approx(
            rec.seconds_to_exhaustion, rel=1e-9)
        assert 0.5 * DAY < rec.seconds_to_exhaustion < 2.5 * DAY  # the history runs dry about 1.5 days ahead
        info = named(series, "obsgen_recommendation_info")
        assert info[filling | {("forecast", "disk_free"), ("resource", "disk"), ("severity", rec.severity),
                               ("message", rec.message)}] == 1
        assert rec.message.startswith("disk on db-1:/data full in ")
        steady = frozenset({("instance", "web-1"), ("mountpoint", "/")})
        exhaustion = served(series, "obsgen_capacity_seconds_to_exhaustion", "disk_free", steady)
        assert exhaustion is not None and exhaustion > 30 * DAY

    report = subprocess.run([sys.executable, "-m", "generator", "forecast", "report", "--config", str(config),
                             "--prometheus-url", history_server.url, "--at", f"{origin:.0f}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert f"[{rec.severity}] {rec.message}" in report.stdout
    assert 'requests {service="api"}' in report.stdout and "anomalies (|z| > 3):" in report.stdout


def test_every_exported_series_is_one_series_of_the_history(history_server: Server, tmp_path: Path) -> None:
    """A series is its whole label set: two metrics with equal labels are not one history, and a series' own
    forecast/resource/severity/message labels are kept as exported_<label> (as Prometheus does for a scraped label
    that clashes with a target label), so that no exported series is there twice."""
    config = write_config(tmp_path / "exporter.yml", {"forecasts": [dict(LABELLED), dict(MERGED)]},
                          interval="1h", timeout="60s", stale_after="2h")
    with running_exporter(config, tmp_path, prometheus_url=history_server.url) as exporter:
        series = exporter.wait_for(lambda s: all(sum(exporter.runs(s, job, status) for status in STATUSES) == 1
                                                 for job in ("labelled", "merged")), 120, "a run of each forecast")
        text = requests.get(f"{exporter.url}/metrics", timeout=5).text
        log = exporter.log.read_text()
    exposed = [(s.name, frozenset(s.labels.items())) for family in text_string_to_metric_families(text)
               for s in family.samples]
    assert len(exposed) == len(set(exposed)), [s for s in exposed if exposed.count(s) > 1]
    learnt = {"queue": "q1", "exported_severity": "page", "exported_resource": "cpu", "exported_message": "hi",
              "exported_forecast": "older", "forecast": "labelled"}
    assert set(named(series, "obsgen_forecast")) == {
        frozenset({**learnt, "exported_exported_forecast": own}.items()) for own in ("mine", "theirs")}
    info = [dict(labels) for labels in named(series, "obsgen_recommendation_info")]
    assert sorted(i.pop("exported_exported_forecast") for i in info) == ["mine", "theirs"]
    assert all(i["resource"] == "queue" and i.pop("message").startswith("queue on q1 ") for i in info), info
    assert all({k: v for k, v in i.items() if k != "severity"} == {**learnt, "resource": "queue"} for i in info)
    assert exporter.runs(series, "labelled") == exporter.runs(series, "merged", "error") == 1
    assert "merged failed: returns demo_disk_free_bytes and demo_disk_size_bytes with the same labels " \
           '{instance="db-1",mountpoint="/data"}: an exported series is named by its labels alone' in log, log
    assert not named(series, "obsgen_forecast_origin_timestamp_seconds").keys() & {
        frozenset({("forecast", "merged"), ("instance", "db-1"), ("mountpoint", "/data")})}


def test_forecasts_vanish_when_prometheus_is_gone(tmp_path: Path) -> None:
    quick = dict(DISK, history="1d", season=None, capacity=None)
    config = write_config(tmp_path / "exporter.yml", {"forecasts": [quick]}, interval="1s", timeout="1s",
                          stale_after="3s")

    with prometheus_with_history(tmp_path, days=1) as server, \
            running_exporter(config, tmp_path, prometheus_url=server.url) as exporter:
        exporter.wait_for(lambda s: len(named(s, "obsgen_forecast")) == 2, 60, "forecasts")
        server.process.terminate()
        server.process.wait(timeout=30)
        stopped = time.monotonic()
        exporter.wait_for(lambda s: one(s, "obsgen_prometheus_up") == 0, 30, "prometheus_up == 0")
        exporter.wait_for(lambda s: not named(s, "obsgen_forecast"), 30, "forecasts dropped")
        gone_after = time.monotonic() - stopped
        print(f"\nPrometheus stopped: forecasts gone after {gone_after:.1f} s (stale_after 3 s)")
        assert gone_after <= 3.0 + 1.0 + 1.0  # stale_after + interval + timeout
        _never_frozen(exporter)
    assert "Prometheus at http://127.0.0.1" in exporter.log.read_text()


def _never_frozen(exporter: RunningExporter) -> None:
    for _ in range(10):
        assert not named(exporter.scrape(), "obsgen_forecast_lower")
        time.sleep(0.2)


def test_an_exporter_started_before_prometheus_waits_for_it_and_logs_one_line(tmp_path: Path) -> None:
    quick = dict(DISK, history="1d", season=None, capacity=None)
    config = write_config(tmp_path / "exporter.yml", {"forecasts": [quick]}, interval="1s", timeout="1s",
                          stale_after="30s")
    port = free_port()
    with running_exporter(config, tmp_path, prometheus_url=f"http://127.0.0.1:{port}") as exporter:
        time.sleep(2)  # Prometheus still starting: backoff, no forecast run, nothing logged as an error
        assert not one(exporter.scrape(), "obsgen_query_runs_total", query="disk_free", database="",
                       status="error")
        with prometheus_with_history(tmp_path, days=1, port=port):
            exporter.wait_for(lambda s: len(named(s, "obsgen_forecast")) == 2, 60, "forecasts")
            log = exporter.log.read_text()  # read before Prometheus stops: a run after that fails, rightly
    assert log.count("connected to Prometheus") == 1 and "ERROR" not in log
