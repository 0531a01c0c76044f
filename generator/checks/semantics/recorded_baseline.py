"""An alert's baseline is a recorded series at an offset: none for that long after the rule is renamed.

Prometheus keeps what a recording rule writes under the rule's name. `job:revenue:increase1h offset 1w` reads what
the rule recorded a week ago: after the rule is renamed there is nothing under the new name a
week back, and the comparison returns nothing, so the alert is silent for a week, however far the value drops; the
same holds for the first week after the rule is deployed. promtool, an hour's revenue recorded for a week under the
old name and then a drop to a third: `job:revenue:increase1h_v2 < 0.5 * job:revenue:increase1h_v2 offset 1w`
never fires, while the same comparison with the baseline computed from the raw counter at the offset
(`sum by (job) (increase(revenue_total[1h] offset 1w))`, the shipped RevenueDrop's) fires, whatever the rule's
name. Offsets under an hour are not reported (the gap is as short as the offset).

    Alert(expr="job:revenue:increase1h < 0.5 * job:revenue:increase1h offset 1w")           # reported
    Alert(expr="job:revenue:increase1h < 0.5 * sum by (job) (increase(revenue_total[1h] offset 1w))")

A subquery at the offset (`max_over_time(job:revenue:increase1h[1h:10m] offset 1w)`) reads it as far back.
Recording rules the alert reads are followed, and imported rule sets' alerts are judged the same way.

Fix: compute the baseline from the raw series at the offset (in the recording rule, if it has one), so it has the
history of the series itself, not of the rule's name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from generator.checks.base import Context, Finding
from generator.checks.semantics.alert_without_condition import conditions
from generator.checks.semantics.recorded import BASELINE, recorded_exprs, timed_reads
from generator.core.duration import format_seconds
from generator.core.errors import Level

CODE = "SM023"
NAME = "recorded-baseline"
LEVEL = Level.WARNING
SHORTEST = BASELINE
"""An offset shorter than this is a gap as short: not reported."""


def _recorded_at_offset(rules: Mapping[str, str], expr: str, seen: frozenset[str] = frozenset()) -> tuple[str, float]:
    """The first recorded series an expression reads SHORTEST or more back (its offset, or a subquery's around it),
    recording rules followed: (its name, how far back in seconds), or ("", 0)."""
    for read in timed_reads(expr):
        if read.name not in rules:
            continue
        if read.back >= SHORTEST:
            return read.name, read.back
        if read.name not in seen:
            found = _recorded_at_offset(rules, rules[read.name], seen | {read.name})
            if found[0]:
                return found
    return "", 0.0


def check(context: Context) -> Iterator[Finding]:
    rules = context.derived(recorded_exprs)
    for at, path, what, expr, *_ in conditions(context):
        name, offset = _recorded_at_offset(rules, expr)
        if name:
            shift = format_seconds(offset)
            yield Finding(at, f"{what} reads the recorded series {name} at offset {shift}: Prometheus keeps it "
                              f"under the rule's name, so for {shift} after the rule is renamed or first deployed "
                              f"there is no baseline and the alert is silent however far the value drops; compute "
                              f"the baseline from the raw series at the offset (as {name}'s own expression over "
                              f"its inputs)", path)
