"""Whether an SLO's absent page fires before the TargetDown it mutes, in the definitions' time or a compressed one.

The page mutes TargetDown of its inputs' jobs (target_down.py) and must fire first: a TargetDown told before the
page and muted later has its resolution muted too (prometheus/alertmanager#2754), so one dead service is told
twice. When every target of a job dies, TargetDown's `up == 0` is true at the failed scrape itself and fires its
`for` later. The page is sure to have fired only after a scrape (the one that failed and wrote staleness markers),
an evaluation (an instant absent() is true at the first after the markers), the longest range its expression reads
(absent_over_time() and the like see no series only once the range holds none), and its own `for`. So the pair is
in order only while TargetDown's `for` is longer than that sum; held() keeps the order of `for`s in a compressed
build, but the gap it keeps shrinks with the time scale while a scrape and an evaluation do not.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from generator.core.duration import parse_seconds
from generator.core.promql import ranges
from generator.derive.slo.target_down import TARGET_DOWN, input_jobs, target_down_keeps_job
from generator.derive.time_compression import apply
from generator.model import SLO, Alert
from generator.model.profile import Profile
from generator.model.project import Project


@dataclass(frozen=True)
class PageOrder:
    """An SLO's absent page that mutes TargetDown, and how soon each is sure to fire after its jobs die."""

    slo: SLO
    page: Alert
    scrape_and_evaluation: float
    """Seconds of one scrape interval plus one evaluation interval: what the page waits for beyond its `for`."""
    longest_range: float
    """Seconds of the longest range the page's expression reads (0 for an instant absent())."""
    target_down: Alert

    @property
    def page_told(self) -> float:
        """Seconds after the jobs die by which the page has surely fired."""
        return parse_seconds(self.page.for_) + self.longest_range + self.scrape_and_evaluation

    @property
    def target_down_told(self) -> float:
        """Seconds after the jobs die by which TargetDown fires: its `for`, counted from the failed scrape."""
        return parse_seconds(self.target_down.for_)

    @property
    def in_order(self) -> bool:
        """Whether the page surely fires before TargetDown, as the pairing needs."""
        return self.page_told < self.target_down_told


def page_orders(project: Project) -> list[PageOrder]:
    """Every SLO's absent page that mutes TargetDown of its inputs' jobs (one per SLO), with its timing."""
    if not target_down_keeps_job(project):
        return []
    stack, alerts = project.stack, project.alerts
    step = parse_seconds(stack.scrape_interval) + parse_seconds(stack.evaluation_interval)
    orders = []
    for slo in project.all(SLO):
        page = alerts.get(slo.absent_alert)
        if page is None or not input_jobs(project, slo):
            continue
        orders.append(PageOrder(slo, page, step, max(ranges(page.condition), default=0.0), alerts[TARGET_DOWN]))
    return orders


def out_of_order(project: Project) -> list[PageOrder]:
    """The pages that may fire after the TargetDown they mute."""
    return [order for order in page_orders(project) if not order.in_order]


def largest_paired_scale(project: Project, profile: Profile, compressed: Project | None = None) -> int:
    """The profile's own whole time scale (N-fold compression, profile.time_scale = 1/N) when every page still fires
    before the TargetDown it mutes there, else the largest smaller one at which they do, the profile's other
    settings (its scrape interval) kept; 0 when even scale 1 does not (SM009 says so of the definitions' own
    intervals). The gap between two `for`s only shrinks as the scale grows, so the scales that keep the order run
    from 1 up to this one, found by halving. compressed: the project already compressed by this profile, when the
    caller has it; its order is the first probe's when the profile's scale is whole (not compressed again)."""
    def keeps(scale: int) -> bool:
        return not out_of_order(apply(project, dataclasses.replace(profile, time_scale=1 / scale)))

    # 1 / (1/N) may fall just short of N (93 gives 92.99...): a whole scale stays whole
    asked = max(1, math.floor(1 / profile.time_scale + 1e-9))
    if compressed is not None and 1 / asked == profile.time_scale:
        if not out_of_order(compressed):
            return asked
    elif keeps(asked):
        return asked
    if not keeps(1):
        return 0
    low, high = 1, asked  # keeps(low), not keeps(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if keeps(middle) else (low, middle)
    return low
