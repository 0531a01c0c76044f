"""A business counter's SQL total served without a decrease: Prometheus reads any decrease as a reset.

A counter's SQL counts rows (COUNT, SUM), and rows can go: a retention purge, an erased customer, an order line
edited, or a float SUM added up in another order (PostgreSQL's parallel aggregates, SQLite after a VACUUM) a
rounding error lower. rate() and increase() take any decrease for a restart from 0 and count the whole new total
as increase: a spike of everything ever counted, where an application's counter restarting costs what it counted
since. So a counter's decrease is served as no change, and every increase after it as it is: its series only
grows while the exporter runs. The SQL totals are what restarts preserve (no reset at the exporter's restart); a
decrease held back here is served at the next restart, as a reset, once.
"""

from __future__ import annotations

import logging
import math

from generator.core.errors import Location
from generator.core.gotemplate import go_float
from generator.exporter.cache import Labels, Sample, label_text

log = logging.getLogger("obsgen.exporter")


class Monotonic:
    """The served samples of one counter query, run after run (a job never overlaps itself: no lock)."""

    def __init__(self, name: str, location: Location, max_series: int) -> None:
        self._name, self._location = name, location
        self._limit = 4 * max_series  # label sets remembered, those of runs long ago forgotten beyond it
        self._last: dict[Labels, tuple[float, float]] = {}
        """The SQL total each label set last had and the value then served, also while it is absent from a run
        (back lower, it is a reset all the same)."""
        self._held: dict[Labels, float] = {}
        """The decreases of each label set held back so far, added to its SQL total."""
        self._warned = False

    def __call__(self, found: list[Sample]) -> list[Sample]:
        """The samples to serve for a run's SQL totals."""
        served = []
        for sample in found:
            value, (before, shown) = sample.value, self._last.get(sample.labels, (math.nan, math.nan))
            if value < before and math.isfinite(before) and math.isfinite(value):
                self._held[sample.labels] = self._held.get(sample.labels, 0.0) + before - value
                self._warn(sample.labels, before, value)
            serving = value + self._held.get(sample.labels, 0.0)
            if serving < shown and math.isfinite(shown):  # the sum rounded: 177.79 + (505.95 - 177.79) < 505.95
                serving = shown
            self._last[sample.labels] = value, serving
            served.append(Sample(sample.family, sample.labels, serving))
        if len(self._last) > self._limit:
            current = {sample.labels for sample in found}
            self._last = {labels: last for labels, last in self._last.items() if labels in current}
            self._held = {labels: held for labels, held in self._held.items() if labels in current}
        return served

    def _warn(self, labels: Labels, before: float, value: float) -> None:
        """Say it once per query: rows are deleted again and again (a daily purge), or a float SUM wobbles."""
        if self._warned:
            return
        self._warned = True
        log.warning("%s: counter %s{%s} went down from %s to %s (rows its SQL counts were deleted or changed, or a "
                    "float SUM rounded lower): served as no change, as Prometheus would read a reset and count "
                    "the whole total as increase; count what only grows (later decreases are not logged)",
                    self._location, self._name, label_text(labels),
                    go_float(before), go_float(value))  # an ulp apart too
