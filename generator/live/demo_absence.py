"""Gaps in the demo history, so an alert on absent() (an SLO's SLIAbsent) has its firing episode like the others:
the series it asks for have no samples from its `for` and Prometheus' lookback before the episode to its end.

Backfilled blocks carry no staleness marker, so absent() of a series turns true only a lookback (5m) after its
last sample, as after a Prometheus restart that lost it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.core.promql import LOOKBACK, PromQLError, Selector, absence_asked, matcher_op, parse, read_selectors
from generator.core.selector_regex import label_matches
from generator.model.project import Project

Wave = Callable[[float], float]


@dataclass(frozen=True)
class Gap:
    """Series of a name whose labels pass the matchers have no samples from start to end."""

    name: str
    matchers: tuple[tuple[str, str, str], ...]
    start: int
    end: int

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        """Whether a generated series falls in the gap's selector."""
        return name == self.name and all(label_matches(op, value, labels.get(label, ""))
                                         for label, op, value in self.matchers)


def _asked(expr: str) -> list[tuple[Any, Selector]]:
    """The named vector selectors an absent()/absent_over_time() call asks about, with what is read of each."""
    if not any(selector.name for selector in absence_asked(expr)):
        return []
    try:
        return [(node, selector) for node, selector in read_selectors(parse(expr)) if selector.asked and selector.name]
    except PromQLError:
        return []


def lookback(expr: str) -> float:
    """Seconds an alert reading absent() waits, beyond its `for` and ranges, after the series' last sample: an
    instant selector (not a range's) still finds its last sample for the lookback."""
    return LOOKBACK if any(selector.instant for selector in absence_asked(expr)) else 0.0


def gaps(project: Project, breaches: dict[str, tuple[int, int]]) -> list[Gap]:
    """The gap each absent() alert's breach makes in the series it asks for."""
    found = []
    for name, (start, end) in breaches.items():
        for node, selector in _asked(project.alerts[name].condition):
            matchers = tuple((m.name, matcher_op(m), str(m.value)) for m in node.matchers.matchers
                             if m.name != "__name__")
            found.append(Gap(selector.name, matchers, start, end))
    return found


def gapped(name: str, labels: dict[str, str], value: Wave, found: list[Gap]) -> Wave:
    """value, with no sample (NaN, which the blocks skip) inside the gaps that select the series."""
    mine = [(gap.start, gap.end) for gap in found if gap.matches(name, labels)]
    if not mine:
        return value
    return lambda t: math.nan if any(start <= t < end for start, end in mine) else value(t)
