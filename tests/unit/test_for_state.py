"""Prometheus' for-state flags come from the definitions: every alert restored, a ladder surviving its climb."""

from __future__ import annotations

from generator.derive.for_state import for_state
from generator.derive.time_compression import apply
from generator.model.profile import Profile
from generator.model.project import Project


def test_the_grace_period_is_the_shortest_hold_and_the_tolerance_the_longest_but_at_least_an_hour(
        project: Project) -> None:
    # shipped: alerts hold 1m (JobMissing, the one page before the absent pages' 2m) to 4h (TSDB reload and
    # compaction failures, as kube-prometheus holds them); the default escalation ladder climbs to 60m
    assert for_state(project).flags() == ["--rules.alert.for-grace-period=1m",
                                          "--rules.alert.for-outage-tolerance=4h"]


def test_compressed_time_compresses_both(project: Project) -> None:
    state = for_state(apply(project, Profile(time_scale=1 / 60)), 1 / 60)
    assert (state.grace_period, state.outage_tolerance) == ("15s", "4m")  # escalation level 1's 15 s is the
    # shortest hold: no compressed `for` is under 20 s (time_compression.held)
