"""Capacity maths: robust trends, time to exhaustion and recommendations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from generator.exporter import capacity
from generator.exporter.capacity import (
    Trend,
    capacity_recommendation,
    exhaustion_seconds,
    format_duration,
    linear_trend,
    time_to_exhaustion,
)
from generator.exporter.forecast import InsufficientDataError

STEP = 60.0

def test_time_to_exhaustion_of_a_linear_ramp_is_analytic() -> None:
    ramp = 10.0 + 0.5 * np.arange(1000)  # +0.5 per 60 s step, newest value 509.5
    assert time_to_exhaustion(ramp, STEP, limit=1000.0) == pytest.approx((1000.0 - 509.5) / (0.5 / STEP))
    assert time_to_exhaustion(ramp, STEP, limit=100.0) == 0.0
    assert time_to_exhaustion(ramp[::-1], STEP, limit=2000.0) == math.inf
    free = ramp[::-1]  # free space shrinking to a floor of 0
    assert time_to_exhaustion(free, STEP, limit=0.0, direction="down") == pytest.approx(10.0 / (0.5 / STEP))


def test_trend_slope_is_recovered_despite_noise_outliers_and_gaps() -> None:
    rng = np.random.default_rng(9)
    t = np.arange(5000)
    series = 100 + 0.02 * t + rng.normal(0, 1, t.size)
    series[::13] += 400.0  # outliers that would bias least squares
    series[1000:1500] = np.nan
    trend = linear_trend(series, 30.0)
    assert trend.slope_per_second == pytest.approx(0.02 / 30.0, rel=0.02)
    assert trend.intercept == pytest.approx(100 + 0.02 * 4999, abs=1.0)
    assert trend.at(-4999 * 30.0) == pytest.approx(100.0, abs=1.5)


def test_trend_needs_two_finite_samples() -> None:
    with pytest.raises(InsufficientDataError):
        linear_trend([math.nan, 3.0], STEP)
    assert linear_trend([1.0, 3.0], 2.0) == Trend(1.0, 3.0)


def test_capacity_recommendation_text_and_severity() -> None:
    step = 3600.0
    used = np.arange(48) * 10.0  # +10 per hour, 470 used now: 720 more takes 72 h
    rec = capacity_recommendation("db-1", used, step, limit=470 + 10 * 72)
    assert rec.message == "disk on db-1 full in 3 d"
    assert rec.severity == "warning"
    assert capacity_recommendation("db-1", used, step, limit=480).severity == "critical"
    assert capacity_recommendation("db-1", used, step, limit=400).message == "disk on db-1 is full"
    flat = capacity_recommendation("db-2", np.full(48, 5.0), step, limit=100, resource="inodes")
    assert (flat.severity, flat.message, flat.seconds_to_exhaustion) == (
        "ok",
        "inodes on db-2 is not filling up",
        math.inf,
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (720, "12 min"), (5 * 3600, "5 h"), (3 * 86400, "3 d"), (6 * 604800, "6 w"), (math.inf, "never")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_accelerating_growth_is_seen_by_the_recent_trends() -> None:
    step = 600.0
    day = 86_400.0
    t = np.arange(0, 14 * day, step)
    rate = 80.0 / (16 * day) ** 2  # usage growing faster and faster: 100 (the limit) 2 days after the newest
    used = 20.0 + rate * t**2
    truth = math.sqrt(80.0 / rate) - t[-1]
    whole = exhaustion_seconds(linear_trend(used, step), 100.0)
    assert time_to_exhaustion(used, step, 100.0) == pytest.approx(truth, rel=0.15)  # a line is a little late
    assert whole > 1.5 * truth  # a single trend over two weeks is far too late


def test_a_disk_emptied_by_cleanups_fills_within_hours_of_its_last_cycle() -> None:
    step = 600.0
    cycle = 36  # a cleanup every 6 hours frees 80% of what the cycle wrote
    used, level = [], 50.0
    for i in range(14 * 144):
        if i and i % cycle == 0:
            level -= 0.8 * cycle * 0.05
        used.append(level)
        level += 0.05
    series = np.array(used)
    seconds = time_to_exhaustion(series, step, series[-1] + 0.05 * 6)  # full in 6 more steps of this cycle
    assert seconds == pytest.approx(6 * step, rel=0.05)


def test_a_cleanup_just_before_counts_at_once() -> None:
    step = 600.0
    used = 10.0 + 0.1 * np.arange(1000)  # 0.6 an hour
    used[-30:] -= 50.0  # 5 hours ago a cleanup freed 50: 59.9 used now, 109.9 before it
    assert time_to_exhaustion(used, step, 81.5) == pytest.approx(36 * 3600, rel=0.05)


def test_two_hours_of_a_healthy_daily_cycle_are_not_a_trend_to_a_full_memory() -> None:
    step = 300.0
    t = np.arange(24) * step  # two hours after a restart, on the rising half of the day
    used = 45 + 10 * np.sin(2 * np.pi * t / 86_400)
    assert time_to_exhaustion(used, step, limit=100) == math.inf  # the old whole-history rule said 14 h
    asked_for_two_weeks = np.concatenate([np.full(14 * 288 - used.size, np.nan), used])  # as query_range returns it
    assert time_to_exhaustion(asked_for_two_weeks, step, limit=100) == math.inf
    steady = 45 + (100 - 45) * t / (6 * 3600)  # the same two hours of a real leak: full in 4 h, within 3 spans
    assert time_to_exhaustion(steady, step, limit=100) == pytest.approx(6 * 3600 - t[-1], rel=0.01)


def test_a_recommendation_judges_a_series_first_season_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """capacity_recommendation judged first_season once for the time to exhaustion and again for its message (a
    young series never full); now once, and each recommendation is still what time_to_exhaustion says."""
    judged: list[object] = []
    real = capacity.first_season

    def counted(*args: Any) -> bool:
        judged.append(args)
        return real(*args)

    monkeypatch.setattr(capacity, "first_season", counted)
    step, day = 300.0, 86_400.0
    t = np.arange(24) * step  # two hours after a restart
    cases = {"web-1": (45 + 10 * np.sin(2 * np.pi * t / day), day),  # young, the rising half of a daily cycle
             "web-2": (45 + (75 - 45) * t / (3 * 3600), day),  # young, a steady leak: within its range
             "web-3": (np.arange(24) * 2.0, None),  # no season: +2 a step, 20 more takes 10 steps
             "web-4": (np.full(24, 5.0), None)}
    messages = []
    for name, (used, season) in cases.items():
        judged.clear()
        rec = capacity_recommendation(name, used, step, 66.0, resource="memory", season_seconds=season)
        assert len(judged) == 1, name
        assert rec.seconds_to_exhaustion == time_to_exhaustion(used, step, 66.0, season_seconds=season)
        messages.append(rec.message)
    assert messages == ["memory on web-1 is not filling up within the range of its first 2 h",
                        "memory on web-2 full in 11 min", "memory on web-3 full in 50 min",
                        "memory on web-4 is not filling up"]
