"""Backfilled history: the demo's past, written as OpenMetrics that promtool turns into blocks."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import pytest

from generator.derive.time_compression import apply
from generator.live import backfill
from generator.live.backfill import (
    FIRST_SCRAPE_DELAY,
    History,
    Past,
    Recorder,
    needing_history,
    openmetrics,
    write_raw,
)
from generator.live.demo.business import BusinessModel
from generator.live.demo.host import NORMAL_AVAILABLE, healthy_gauges
from generator.live.supervisor import Supervisor
from generator.model.profile import Profile
from generator.model.project import Project
from tests.servers import free_port

MODELLED = BusinessModel(epoch=0.0).series_names()


def test_history_covers_twice_the_longest_range_over_the_demos_series(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60, scrape_interval="1s"))  # as the live stack runs it
    history = History.for_rules(fast, MODELLED, end=1_000_000.0)
    # RevenueDrop's same hour last week: increase(revenue_total[1h] offset 1w) at 60x, its window twice
    assert history.end - history.start == 2 * 3600 / 60 + 7 * 86400 / 60
    assert history.step == 1  # the live scrape interval: one spacing in every window, past or live
    # every ranged or offset read of the demo's series reads them raw; the revenue forecasts learn from the hourly
    # revenue recording, which therefore needs a past of its own (without it their band and score stay empty)
    assert [rule.name for rule in needing_history(fast, MODELLED)] == ["job:revenue:increase1h"]


def test_ranges_over_series_the_demo_does_not_write_are_ignored(project: Project) -> None:
    assert needing_history(project, frozenset()) == []
    assert History.for_rules(project, frozenset(), end=7200.0).start == 0.0  # the default: an hour, twice


def test_openmetrics_history_carries_the_scrape_labels_and_ends_with_eof() -> None:
    text = openmetrics(BusinessModel(epoch=0.0), History(0.0, 60.0, 15.0), {"job": "api", "instance": "h:1"})
    assert text.splitlines()[-2].endswith(" 60.000")  # the last sample is where the live demo takes over
    assert text.endswith("# EOF\n")
    line = next(line for line in text.splitlines() if line.startswith("revenue_total"))
    assert line.startswith('revenue_total{instance="h:1",job="api",product_category="books"} 0.000000 0.000')
    assert text.count('sales_sessions_total{instance="h:1",job="api",user_segment="new"}') == 5


def test_the_simulated_hosts_past_is_written_with_the_shops_and_their_memory_recorded_over_it(project: Project
                                                                                              ) -> None:
    """A deployed host has weeks of history: without it, its memory and disk series were in their first season
    when test_early_warnings injected a leak, and no limit beyond the range seen was predicted (MemoryHigh paged
    first)."""
    hosts = functools.partial(healthy_gauges, {"simulated-host-3": "node-simulated-3"})
    text = openmetrics(BusinessModel(epoch=0.0), History(0.0, 60.0, 15.0), {"job": "api", "instance": "h:1"}, hosts)
    own = 'instance="simulated-host-3",job="node-simulated-3"'
    memory = [line for line in text.splitlines() if line.startswith(f"node_memory_MemAvailable_bytes{{{own}}}")]
    assert len(memory) == 5 and memory[-1].endswith(" 60.000")
    total = next(value for series, value in hosts(60.0).items() if series.name == "node_memory_MemTotal_bytes")
    assert abs(float(memory[-1].split()[1]) / total - NORMAL_AVAILABLE) <= 0.02  # healthy, as the demo serves it
    assert text.count(f'node_filesystem_avail_bytes{{device="/dev/vdb",fstype="ext4",{own},mountpoint="/data"}}') == 5
    fast = apply(project, Profile(time_scale=1 / 60, scrape_interval="1s"))
    written = MODELLED | {series.name for series in hosts(0.0)}  # what the live stack writes
    assert "instance:memory_usage:percent" in [rule.name for rule in needing_history(fast, written)]


def test_promtool_turns_the_history_into_blocks(tmp_path: Path) -> None:
    samples = write_raw(BusinessModel(epoch=0.0), History(0.0, 3600.0, 15.0), {"job": "api"}, tmp_path / "data",
                        tmp_path)
    assert samples > 1000
    assert any((block / "meta.json").exists() for block in (tmp_path / "data").iterdir())


BLOCK = 7200.0
"""promtool's blocks span at most 2 h, aligned on the epoch: a stretch of past across such a boundary is two."""


class _Clock:
    """The time module as the backfill reads it, its wall clock set to `now` (the seconds it measures real)."""

    monotonic = staticmethod(time.monotonic)

    def __init__(self, now: float) -> None:
        self.offset = now - time.time()

    def time(self) -> float:
        return time.time() + self.offset


@pytest.mark.parametrize("clock", ["now", "across a block boundary"])
def test_the_past_and_its_recordings_catch_up_to_prometheus_first_scrape_just_before_it_starts(
        tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch, clock: str) -> None:
    now = time.time()
    if clock != "now":  # the catch-up's stretch holds a block boundary, as one run in 200 finds on its own
        now = (now // BLOCK) * BLOCK + 10.0
        monkeypatch.setattr(backfill, "time", _Clock(now))
    history = History(now - 3600.0, now - 30.0, 1.0)  # the other servers took 30 s to start
    rules = needing_history(apply(project, Profile(time_scale=1 / 60, scrape_interval="1s")), MODELLED)
    model = BusinessModel(epoch=history.start)
    past = Past(history.start, model, history, {"job": "api"}, Recorder(tuple(rules), "1s"), recording_seconds=0.5)
    supervisor = Supervisor(tmp_path)
    past.catch_up(tmp_path / "data", free_port(), supervisor)
    assert not supervisor.processes  # the helper Prometheus was recorded while it ran, then stopped and forgotten
    blocks = [json.loads((block / "meta.json").read_text()) for block in (tmp_path / "data").iterdir()
              if (block / "meta.json").exists()]
    written = len(next(model.history(now, now, 1.0))[1])  # the demo's series: every raw block holds them all
    raw = [meta for meta in blocks if meta["stats"]["numSeries"] == written]
    recorded = [meta for meta in blocks if meta not in raw]
    assert raw and recorded and all(meta["stats"]["numSeries"] == 1 for meta in recorded)
    if clock != "now":
        assert len(raw) == len(recorded) == 2  # each stretch cut at the boundary, 10 s before now
    raw_min, raw_max = min(meta["minTime"] for meta in raw), max(meta["maxTime"] for meta in raw)
    assert raw_min == pytest.approx((now - 29.0) * 1000, abs=1000)
    assert min(meta["minTime"] for meta in recorded) == pytest.approx(raw_min + 1000, abs=1000)
    # up to the first scrape, 5 s after Prometheus starts, plus the recordings' own evaluation: no gap for
    # increase() to extrapolate over, and no stretch where the recorded revenue stays flat (its evaluations are on
    # whole seconds and stop short of the raw samples' end, by less than two)
    assert raw_max >= (now + FIRST_SCRAPE_DELAY + 0.5) * 1000
    assert max(meta["maxTime"] for meta in recorded) >= raw_max - 2000


def test_the_pipelines_own_scrapes_are_written_healthy_over_its_3_day_window_and_end_a_lookback_before_the_start(
        project: Project) -> None:
    """MetricsPipelineScrapesBudgetBurn3d reads the self-scrapes' `up` over 3 days (72 minutes at 60x): in a stack
    minutes old, the few scrapes an Alertmanager restart missed were most of that window and it paged
    (report-oncall54). Their written past ends a lookback before the start, so that no instant query after it finds
    a written sample standing for a real scrape (availability.py counts from the first `up` it finds)."""
    fast = apply(project, Profile(time_scale=1 / 60, scrape_interval="1s"))
    history = History.for_rules(fast, MODELLED, end=1_000_000.0)
    until = history.end - backfill.LOOKBACK
    assert until - history.start >= 3 * 86400 / 60
    scrapes = backfill.healthy_scrapes(fast, until)
    text = openmetrics(BusinessModel(epoch=0.0), History(until - 120.0, history.end, 60.0),
                       {"job": "api", "instance": "h:1"}, scrapes)
    up = [line for line in text.splitlines() if line.startswith("up{")]
    jobs = {job.name for job in fast.scrape_jobs}
    assert {"prometheus", "alertmanager"} <= jobs
    assert {line.split('job="')[1].split('"')[0] for line in up} == jobs
    assert all(line.split()[1] == "1.000000" and float(line.split()[2]) <= until for line in up)
    assert len(up) == 3 * sum(len(job.targets) for job in fast.scrape_jobs)  # at until - 120, - 60 and until
