"""How a demo series moves in time: a counter following the daily wave, and what an alert's breach does to a
series while it lasts (a value past the threshold, a clock behind, a counter slowed, bursting, or failing a share
of its whole's traffic). Pure functions of time: the breach is (start, end) or None for an alert without one."""

from __future__ import annotations

import math
from collections.abc import Callable

DAY = 86400

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
