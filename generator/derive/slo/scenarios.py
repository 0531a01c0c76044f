"""Constant-error-rate scenarios for an SLO, and which of its burn-rate alerts each one fires, and when.

The prediction is the arithmetic of the windows, not a second implementation of the rules: the
share of bad events among the minutes a window covers (clipped to the start of the series). A state
is only asserted when every ratio it depends on is clearly (MARGIN) away from its threshold, so
Prometheus' rate extrapolation and window-edge rounding cannot flip a test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from generator.core.duration import parse_seconds
from generator.derive.slo.feed import Segment
from generator.derive.slo.rules import threshold
from generator.model.slo import SLO, BurnWindow, number

EVALUATION_STEP = 10  # minutes between rule evaluations in the scenario tests
SLOW_STEP = 30  # ... in scenarios of windows of 6h and more, which run for days
SAMPLE_STEPS = (2, 1)  # minutes between input samples, the longest giving the shortest window three
MARGIN = 0.04  # relative distance from a threshold below which a ratio's comparison is not asserted
ABOVE = 1.1  # burn of a window's own scenario, as a multiple of its factor
HOLD_EDGE = 2  # minutes beyond an alert's keep_firing_for over which its condition must be clear to assert it ended


@dataclass(frozen=True)
class Check:
    """Expected alert states at one minute: burn windows (by long window) firing, and those asserted."""

    minute: int
    firing: frozenset[str]
    asserted: frozenset[str]


@dataclass(frozen=True)
class ValueCheck:
    """An expression and the value it must have at one minute."""

    minute: int
    expr: str
    value: float


@dataclass(frozen=True)
class Scenario:
    """A traffic history and what the SLO's rules must make of it."""

    name: str
    segments: tuple[Segment, ...]
    checks: tuple[Check, ...]
    values: tuple[ValueCheck, ...] = ()
    step: int = EVALUATION_STEP
    """Minutes between rule evaluations; every check falls on this grid."""


def _minutes(duration: str) -> int:
    return int(parse_seconds(duration) // 60)


def _grid(minutes: int, step: int = EVALUATION_STEP) -> int:
    """Minutes rounded up to an evaluation grid."""
    return -(-minutes // step) * step


def ratio_at(segments: Sequence[Segment], minute: int, window: int) -> float:
    """Share of bad events in the `window` minutes up to `minute` (fewer at the start of the series).

    Summed segment by segment: the minutes a window covers of each, times its ratio (exact in Decimal)."""
    first = max(0, minute - window)
    bad, covered, start = Decimal(0), 0, 0
    for segment in segments:
        end = start + segment.minutes
        overlap = min(end, minute) - max(start, first)
        if overlap > 0:
            bad += segment.error_ratio * overlap
            covered += overlap
        start = end
    return float(bad / covered) if covered else 0.0


def _above(ratio: float, limit: float) -> bool | None:
    if ratio > limit * (1 + MARGIN):
        return True
    if ratio < limit * (1 - MARGIN):
        return False
    return None


Holds = Mapping[str, int]
"""Minutes a burn window's alert (by long window) keeps firing after its condition clears (keep_firing_for)."""
NO_HOLDS: Holds = MappingProxyType({})


def condition(slo: SLO, burn: BurnWindow, segments: Sequence[Segment], minute: int) -> bool | None:
    """Whether a burn window's condition holds at a minute; None when too close to call."""
    limit = burn.factor(slo.window) * slo.budget
    states = [_above(ratio_at(segments, minute, _minutes(window)), limit) for window in (burn.long, burn.short)]
    if False in states:
        return False
    return True if all(states) else None


def firing(slo: SLO, burn: BurnWindow, segments: Sequence[Segment], minute: int, hold: int = 0) -> bool | None:
    """Whether a burn window's alert fires at a minute, its condition having held within the last `hold` minutes;
    None when too close to call.

    Where the condition clears inside a window's edge Prometheus may see it a minute or two later: a hold is
    certain one minute short of its length, and over only HOLD_EDGE minutes beyond it.
    """
    def states(minutes: int) -> list[bool | None]:
        return [condition(slo, burn, segments, at) for at in range(max(0, minute - minutes), minute + 1)]
    if True in states(max(hold - 1, 0)):
        return True
    return False if all(state is False for state in states(hold + HOLD_EDGE if hold else 0)) else None


def check(slo: SLO, segments: Sequence[Segment], minute: int, holds: Holds = NO_HOLDS) -> Check:
    """Every burn window's predicted state at a minute; undecided ones are left unasserted."""
    states = {burn.long: firing(slo, burn, segments, minute, holds.get(burn.long, 0))
              for burn in slo.alerting.windows}
    return Check(minute, frozenset(k for k, v in states.items() if v),
                 frozenset(k for k, v in states.items() if v is not None))


def _error_ratio(slo: SLO, burn_rate: float) -> Decimal:
    return Decimal(number(burn_rate * slo.budget))


def burning_rate(slo: SLO, factor: float, multiple: float) -> float:
    """A burn rate `multiple` times a factor, kept below 100% failed events."""
    return float(number(min(factor * multiple, (factor + 1 / slo.budget) / 2)))


def _first_decided(slo: SLO, segments: Sequence[Segment], minutes: range, burn: BurnWindow,
                   fires: bool, holds: Holds = NO_HOLDS) -> Check | None:
    """The first minute where every alert's state is decided and the burn window's is `fires`."""
    everything = frozenset(b.long for b in slo.alerting.windows)
    for minute in minutes:
        found = check(slo, segments, minute, holds)
        if found.asserted == everything and (burn.long in found.firing) == fires:
            return found
    return None


def _timeline(slo: SLO, clean: int, burning: int, rate: float) -> tuple[Segment, ...]:
    return Segment(clean, Decimal(0)), Segment(burning, _error_ratio(slo, rate))


def burn_scenario(slo: SLO, burn: BurnWindow, holds: Holds = NO_HOLDS) -> Scenario:
    """Clean history, then a burn just above the window's factor: it fires when the budget share is spent.

    The history is the shortest long window after which the alerts agree with a full history's, so the
    scenario fires what a long-running service would, at a fraction of the evaluation cost.
    """
    factor = burn.factor(slo.window)
    rate = burning_rate(slo, factor, ABOVE)
    step = EVALUATION_STEP if _minutes(burn.long) < 360 else SLOW_STEP
    crossing = int(_minutes(burn.long) * factor / rate)  # minutes of burn until the long window's share is spent
    horizon = 2 * crossing + 2 * step
    longs = sorted({_grid(_minutes(b.long), SLOW_STEP) for b in slo.alerting.windows})
    for history in (h for h in longs if h >= _minutes(burn.long)):
        segments = _timeline(slo, history, horizon, rate)
        last_clean = history + crossing - crossing % step
        before = _first_decided(slo, segments, range(last_clean, history, -step), burn, False, holds)
        if before is None:
            continue
        after = _first_decided(slo, segments, range(before.minute + step, history + horizon + 1, step), burn,
                               True, holds)
        if after is None:
            continue
        full = _timeline(slo, longs[-1], horizon, rate)
        if all(check(slo, full, c.minute - history + longs[-1], holds).firing == c.firing for c in (before, after)):
            return Scenario(
                name=f"{number(rate)}x burn after {number(history / 60)}h clean: {slo.alert(burn)} fires "
                     f"between {before.minute - history}m and {after.minute - history}m of burn",
                segments=_timeline(slo, history, after.minute - history, rate), checks=(before, after), step=step)
    raise ValueError(f"SLO {slo.service} {slo.name}: no clean history makes the {burn.long} burn decidable")


def _only(found: Check, long: str) -> Check:
    """A check narrowed to one burn window's alert."""
    if long not in found.asserted:
        raise ValueError(f"the {long} alert's state is undecided at minute {found.minute}")
    return Check(found.minute, found.firing & {long}, frozenset({long}))


def reset_scenario(slo: SLO, holds: Holds = NO_HOLDS) -> Scenario:
    """A short, strong burn fires the fastest window; once it stops, the short window resets the alert (after the
    alert's hold, when it keeps firing a while)."""
    burn = max(slo.alerting.windows, key=lambda b: b.factor(slo.window))
    hold = holds.get(burn.long, 0)
    long, clean = _grid(_minutes(burn.long)), _grid(_minutes(burn.short) + (hold + HOLD_EDGE if hold else 0))
    rate = burning_rate(slo, burn.factor(slo.window), 2)
    segments = (Segment(long, Decimal(0)), Segment(long, _error_ratio(slo, rate)), Segment(clean, Decimal(0)))
    stopped, after = 2 * long, 2 * long + clean
    still_high = _above(ratio_at(segments, after, _minutes(burn.long)), burn.factor(slo.window) * slo.budget)
    if still_high is None:
        raise ValueError(f"SLO {slo.service} {slo.name}: the {burn.long} ratio is too close to its threshold "
                         f"{clean}m after the burn")
    return Scenario(
        name=f"{number(rate)}x burn for {burn.long}, then none: {slo.alert(burn)} resets within {clean}m"
             + (f" although its {burn.long} ratio is still high" if still_high else ""),
        segments=segments,
        checks=tuple(_only(check(slo, segments, minute, holds), burn.long) for minute in (stopped, after)),
        values=(ValueCheck(after, f"{slo.error_ratio_record(burn.long)} > bool {threshold(slo, burn)}",
                           int(still_high)),),
    )


def clean_scenario(slo: SLO, holds: Holds = NO_HOLDS) -> Scenario:
    """No failed events: no alert, a full error budget."""
    last = _grid(max(_minutes(b.short) for b in slo.alerting.windows)) + EVALUATION_STEP
    segments = (Segment(last, Decimal(0)),)
    minutes = sorted({2 * EVALUATION_STEP, 60, last})
    return Scenario(
        name="no failed events: nothing fires, the whole error budget remains",
        segments=segments, checks=tuple(check(slo, segments, minute, holds) for minute in minutes),
        values=(ValueCheck(last, slo.record("period_error_budget_remaining", "ratio"), 1),),
    )


def budget_scenario(slo: SLO, holds: Holds = NO_HOLDS) -> Scenario:
    """Half the sustainable error rate for two hours: burn rates 0.5, half the budget left, no alert."""
    segments = (Segment(120, _error_ratio(slo, 0.5)),)
    close = [(slo.record("current_burn_rate", "ratio"), 0.5), (slo.record("period_burn_rate", "ratio"), 0.5),
               (slo.record("period_error_budget_remaining", "ratio"), 0.5),
               (slo.error_ratio_record("5m"), float(number(slo.budget / 2)))]
    values = [ValueCheck(120, f"abs({expr} - {number(value)}) < bool {value * 1e-6:g}", 1)
              for expr, value in close]
    values.append(ValueCheck(120, slo.record("objective", "ratio"), float(number(slo.objective / 100))))
    return Scenario(name="0.5x burn for 2h: burn rates 0.5, half the error budget left",
                    segments=segments, checks=(check(slo, segments, 120, holds),), values=tuple(values))


def sample_step(slo: SLO) -> int:
    """Minutes between input samples of an SLO's scenarios: three in its shortest window (two below 4m)."""
    shortest = min(_minutes(window) for window in slo.ratio_windows)
    return next((step for step in SAMPLE_STEPS if 2 * step < shortest), SAMPLE_STEPS[-1])


def scenarios(slo: SLO, holds: Holds = NO_HOLDS) -> list[Scenario]:
    """Every scenario of an SLO: no errors, half burn, each burn window's own burn, and the fast reset."""
    return [clean_scenario(slo, holds), budget_scenario(slo, holds),
            *(burn_scenario(slo, burn, holds) for burn in slo.alerting.windows), reset_scenario(slo, holds)]
