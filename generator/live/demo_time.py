"""How a demo series moves in time: a counter following the daily wave, and what an alert's breach does to a
series while it lasts (a value past the threshold, a clock behind, a counter slowed, bursting, or failing a share
of its whole's traffic). Pure functions of time: the breach is (start, end) or None for an alert without one."""

from __future__ import annotations

import math
from collections.abc import Callable

DAY = 86400
EPISODE = 1200
"""How long each alert's synthetic firing episode lasts (20 minutes)."""
SPACING = 1800
"""Seconds between the starts of two alerts' episodes."""
COUNT_STEP = 60.0
"""Seconds a count of things in a row takes to grow by one while its alert's breach lasts: a job run every minute
(the exporter's default interval) failing each run."""

Breach = tuple[int, int] | None
Wave = Callable[[float], float]


def counter(rate: float, seed: float) -> Wave:
    """Cumulative count of a rate following the daily wave (its integral, so it only grows)."""
    return lambda t: rate * (t + 0.5 * DAY / (2 * math.pi) * (math.cos(2 * math.pi * seed)
                                                              - math.cos(2 * math.pi * (t / DAY + seed))))


def while_firing(value: Wave, episode: Breach, past: float) -> Wave:
    """value, except `past` (beyond the alert's threshold) during the alert's breach."""
    if episode is None:
        return value
    start, end = episode
    return lambda t: past if start <= t < end else value(t)


def behind(value: Wave, episode: Breach, lag: float) -> Wave:
    """value, less `lag` during the alert's breach."""
    if episode is None:
        return value
    start, end = episode
    return lambda t: value(t) - lag if start <= t < end else value(t)


def slowed(count: Wave, episode: Breach, share: float) -> Wave:
    """A counter that counts at `share` of its rate during the alert's breach (and goes on from there after)."""
    if episode is None:
        return count
    start, end = episode
    return lambda t: count(t) - (1 - share) * (count(min(max(t, start), end)) - count(start))


def burst(count: Wave, episode: Breach, extra: float) -> Wave:
    """A counter that also counts `extra` per second during the alert's breach."""
    if episode is None:
        return count
    start, end = episode
    return lambda t: count(t) + extra * min(max(t - start, 0), end - start)


def shared_burst(count: Wave, episode: Breach, share: float, whole: Wave) -> Wave:
    """A counter that also counts `share` of what `whole` counts during the alert's breach: a failing share of
    the traffic, which rises and falls with it (a fixed extra rate over a whole swinging with the day would put
    the share outside a bounded band, 1 to 3 %, at the day's low and high)."""
    if episode is None:
        return count
    start, end = episode
    return lambda t: count(t) + share * (whole(min(max(t, start), end)) - whole(start))


def climbing(count: Wave, episode: Breach, past: int, step: float) -> Wave:
    """A gauge counting things in a row (failed runs) that climbs one a `step` through the alert's breach: 1, 2, ...
    in the steps before it, `past` (the first whole number beyond the threshold) as it starts, on by one a step, and
    back to count's value when it ends (a run that succeeds resets it)."""
    if episode is None:
        return count
    start, end = episode
    return lambda t: max(count(t), past + math.floor((t - start) / step)) if t < end else count(t)


def flapping(value: Wave, episode: Breach, share: float) -> Wave:
    """A 0/1 series (up) that reads 1 for the first `share` of each minute during the alert's breach, 0 for the
    rest: a target failing scrapes on and off averages below 1 while still answering in every window (a fraction
    held steady, as while_firing would, is no value `up` ever takes, and never reads 1)."""
    if episode is None:
        return value
    start, end = episode
    return lambda t: (1.0 if t % 60 < share * 60 else 0.0) if start <= t < end else value(t)


def alerting(start: int, end: int) -> Wave:
    """An ALERTS series' value: 1 while its alert fires, absent otherwise."""
    return lambda t: 1.0 if start <= t < end else math.nan
