"""The shop's business as a model of time: sessions follow a daily cycle, everything else follows sessions.

The same model writes the backfilled history and drives the live counters, so the two join without a gap
or a reset. Time runs at the live stack's scale: with time_scale 1/60 a day lasts 24 minutes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from generator.live.demo.faults import Fault

SEGMENTS = {"new": 0.4, "returning": 0.6}
"""Share of sessions per user segment."""
CATEGORIES = {"books": (0.3, 25.0), "electronics": (0.5, 180.0), "home": (0.2, 60.0)}
"""Per product category: share of orders, average order value."""
FEATURES = {"search": 0.8, "recommendations": 0.5, "wishlist": 0.1, "reviews": 0.2}
"""Uses of each feature per session."""
PRODUCTS = {f"sku-{n:03d}": weight for n, weight in enumerate((5, 4, 3, 3, 2, 2, 1, 1, 1, 1), start=1)}
"""Relative popularity of the top products."""

CONVERSION = 0.12
CONVERSION_DURING_FAULT = 0.01
ORDER_VALUE_DURING_FAULT = 0.1
CARTS_PER_SESSION = 0.35
VIEWS_PER_SESSION = 6.0
UNITS_PER_ORDER = 1.5
ACTIVE_WINDOW = 300.0
"""A user counts as active for five (simulated) minutes after a session starts."""
DAILY_SWING = 0.3
"""Sessions swing 30% above and below their mean over a day."""
SPELL = 300.0
"""Simulated seconds over which the session rate wanders to a new level (busier and quieter spells)."""
WANDER = 0.15
"""How far the rate moves from one spell to the next, as a share of the mean: up to twice this either way
(below (1 - DAILY_SWING) / 2, so the rate stays positive and every counter keeps growing)."""


@dataclass(frozen=True)
class Series:
    """One exported series of the model: family name and labels."""

    name: str
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def label_dict(self) -> dict[str, str]:
        """The labels as a dict."""
        return dict(self.labels)


def _series(name: str, **labels: str) -> Series:
    return Series(name, tuple(sorted(labels.items())))


def order_value_factor(faults: frozenset[Fault], decline: float = 0.0) -> float:
    """What an order is worth against its usual value: a tenth under the revenue fault, falling towards a
    tenth as a revenue decline progresses (``decline`` from 0 to 1)."""
    if Fault.REVENUE in faults:
        return ORDER_VALUE_DURING_FAULT
    return 1.0 - (1.0 - ORDER_VALUE_DURING_FAULT) * decline


def _knot(index: int) -> float:
    """The wander's level at one spell boundary, in [-1, 1], the same for every run (seeded by the index)."""
    return random.Random(index).uniform(-1.0, 1.0)


@dataclass(frozen=True)
class BusinessModel:
    """Sessions per second over time, and every counter and gauge per session under the active faults."""

    epoch: float
    """Unix time the shop opened: every counter is 0 then."""
    time_scale: float = 1 / 60
    """How fast simulated time runs (a day lasts 86400 * time_scale seconds)."""
    sessions_per_second: float = 4.0
    """Mean session rate over a day."""

    @property
    def day(self) -> float:
        """Seconds in a simulated day."""
        return 86400 * self.time_scale

    def sessions_per_second_at(self, t: float) -> float:
        """The session rate at time t."""
        return self.sessions_per_second * (1 + DAILY_SWING * math.sin(2 * math.pi * (t - self.epoch) / self.day))

    def sessions_between(self, start: float, end: float) -> float:
        """Sessions started in [start, end): the integral of the daily cycle plus the spells' wander, in closed
        form, so history and live counters see the same uneven traffic (a detector that learnt from a perfectly
        smooth past would call any live jitter anomalous)."""
        omega = 2 * math.pi / self.day
        spell = SPELL * self.time_scale

        def integral(t: float) -> float:
            x = t - self.epoch
            index, within = divmod(x / spell, 1.0)
            wander = _knot(int(index)) + (_knot(int(index) + 1) - _knot(int(index))) * within
            return self.sessions_per_second * (x - DAILY_SWING * math.cos(omega * x) / omega
                                               + WANDER * spell * wander)
        return integral(end) - integral(start)

    def per_session(self, faults: frozenset[Fault] = frozenset(), decline: float = 0.0) -> dict[Series, float]:
        """How much each counter grows per session; ``decline`` is how far a revenue decline has gone (0..1)."""
        conversion = CONVERSION_DURING_FAULT if Fault.CONVERSION in faults else CONVERSION
        order_value = order_value_factor(faults, decline)
        rates: dict[Series, float] = {}
        for segment, share in SEGMENTS.items():
            rates[_series("sales_sessions_total", user_segment=segment)] = share
            for category, (order_share, _) in CATEGORIES.items():
                rates[_series("sales_conversions_total", product_category=category, user_segment=segment)] = (
                    share * conversion * order_share)
        for category, (order_share, value) in CATEGORIES.items():
            rates[_series("revenue_total", product_category=category)] = conversion * order_share * value * order_value
            rates[_series("product_views_total", product_category=category)] = VIEWS_PER_SESSION * order_share
        units = conversion * UNITS_PER_ORDER / sum(PRODUCTS.values())
        for product, weight in PRODUCTS.items():
            rates[_series("product_sales_total", product=product)] = units * weight
        rates[_series("carts_created_total")] = CARTS_PER_SESSION
        rates[_series("carts_abandoned_total")] = CARTS_PER_SESSION - conversion
        for feature, uses in FEATURES.items():
            rates[_series("feature_usage_total", feature=feature)] = uses
        return rates

    def gauges(self, t: float, faults: frozenset[Fault] = frozenset()) -> dict[Series, float]:
        """Gauge values at time t."""
        phase = math.sin(2 * math.pi * (t - self.epoch) / self.day)
        unhappy = Fault.CONVERSION in faults or Fault.ERRORS in faults
        active = self.sessions_per_second_at(t) * ACTIVE_WINDOW * self.time_scale
        return {
            **{_series("active_users", user_segment=segment): active * share for segment, share in SEGMENTS.items()},
            _series("user_satisfaction_score"): (6.1 if unhappy else 8.2) + 0.3 * phase,
            _series("rag_recommendation_relevance"): 0.82 + 0.03 * phase,
            _series("rag_knowledge_base_coverage"): 0.91,
            _series("queue_depth", queue="orders"): max(0.0, 12 + 8 * phase),
            _series("queue_depth", queue="emails"): max(0.0, 30 + 20 * phase),
        }

    def counters_at(self, t: float) -> dict[Series, float]:
        """Every counter's value at time t when no fault ever happened (the backfilled history)."""
        sessions = self.sessions_between(self.epoch, t)
        return {series: rate * sessions for series, rate in self.per_session().items()}

    def history(self, start: float, end: float, step: float) -> Iterator[tuple[float, dict[Series, float]]]:
        """(time, every counter and gauge) every step seconds up to end itself, where the live demo takes over."""
        steps = int((end - start) // step)
        for index in range(steps, -1, -1):
            t = end - index * step
            yield t, {**self.counters_at(t), **self.gauges(t)}

    def series_names(self) -> frozenset[str]:
        """Names of every series the model writes."""
        return frozenset(series.name for series in (*self.per_session(), *self.gauges(self.epoch)))
