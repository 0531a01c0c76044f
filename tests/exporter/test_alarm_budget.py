"""detect()'s alarm budget (record_seconds): an alarm must be the highest score of the span before it."""

from __future__ import annotations

import math

import numpy as np

from generator.exporter.anomaly import DetectorParams, detect, streaming_anomaly_scores
from generator.exporter.forecast import DAY_SECONDS, FloatArray

STEP = 300.0
DAY = 288  # samples a day at STEP
WEEK = 7 * DAY
BUDGET = DetectorParams(record_seconds=7 * DAY_SECONDS)


def test_an_alarm_must_beat_every_score_of_the_span_before_it() -> None:
    params = DetectorParams(rearm_seconds=2 * STEP, min_gap_seconds=3 * STEP, record_seconds=10 * STEP)
    nan = math.nan
    score = np.array([0, 3, 0, 0, 0, 0, 2, 2.5, 0, 0, 0, 0, 2, 3.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5, nan, 2])
    # 1: the first alarm; 6-7 rest armed but never beat the 3 at 1; 12 neither, 13 (3.5) does, mid-episode;
    # 25 (1.5): the 3.5 lies 12 steps back, outside the span of 10; 27 is the same episode (no quiet spell)
    assert np.flatnonzero(detect(score, STEP, params)).tolist() == [1, 13, 25]
    off = DetectorParams(rearm_seconds=2 * STEP, min_gap_seconds=3 * STEP)
    assert np.flatnonzero(detect(score, STEP, off)).tolist() == [1, 6, 12, 25]


def test_off_by_default_so_the_shipped_detector_is_unchanged() -> None:
    rng = np.random.default_rng(3)
    score = rng.exponential(0.4, 5 * DAY)
    assert DetectorParams().record_seconds == 0.0
    np.testing.assert_array_equal(
        detect(score, STEP), detect(score, STEP, DetectorParams(record_seconds=0.0))
    )


def test_the_budget_holds_whatever_the_scores_tail_while_a_threshold_alone_does_not() -> None:
    # 20 weeks of a stationary score (nothing happens): records of the past week come about once a week
    # (a sample is the maximum of itself and the N before it with chance 1/(N+1)), light tail or heavy
    rng = np.random.default_rng(11)
    n = 20 * WEEK
    light: FloatArray = np.abs(rng.normal(0, 1, n)) / 2.5  # above 1 on 1.2 % of samples
    heavy: FloatArray = 0.1 * rng.pareto(1.5, n)  # above 1 on 2.7 % of samples, up to thousands
    for score in (light, heavy):
        assert int(detect(score, STEP).sum()) > 70  # a threshold alone: most days alarm (the gap's limit)
        assert 12 <= int(detect(score, STEP, BUDGET).sum()) <= 30  # ~1 a week (20 here with these seeds)


def test_an_incident_worse_than_the_weeks_false_alarm_is_still_caught_at_once() -> None:
    k = np.arange(12 * DAY)
    rng = np.random.default_rng(5)
    series: FloatArray = 50 + 10 * np.sin(2 * np.pi * k / DAY) + rng.normal(0, 1, k.size)
    series[8 * DAY + 30 : 8 * DAY + 36] += 14.0  # a blip: a false alarm by the threshold alone
    level_shift = 10 * DAY + 100
    series[level_shift:] += 30.0  # the incident, two days later
    scores = streaming_anomaly_scores(series, STEP, DAY_SECONDS)
    plain = np.flatnonzero(detect(scores.score, STEP)).tolist()
    budget = np.flatnonzero(detect(scores.score, STEP, BUDGET)).tolist()
    assert any(8 * DAY + 30 <= i < 8 * DAY + 48 for i in plain)
    caught = [i for i in budget if i >= level_shift]
    assert caught and caught[0] <= level_shift + 3
    assert set(budget) <= set(plain)  # the budget only ever removes or delays alarms here


def test_alarms_use_only_past_scores_bit_for_bit() -> None:
    rng = np.random.default_rng(8)
    score = rng.exponential(0.2, 3 * WEEK)  # above 1 on 0.7 % of samples
    cut = 2 * WEEK + 17
    score[cut + 100] = 100.0  # an alarm after the cut, surely
    future = score.copy()
    future[cut:] = 0.0  # nothing more happens
    future[cut + 10 : cut + 40] = np.nan
    base, other = detect(score, STEP, BUDGET), detect(future, STEP, BUDGET)
    np.testing.assert_array_equal(other[:cut], base[:cut])
    assert base[cut:].any() and not other[cut:].any()
