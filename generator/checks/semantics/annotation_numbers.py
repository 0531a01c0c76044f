"""An alert's summary or description states a threshold or a hold its rule does not have.

The summary and description are hand-written next to the rule, and are what the person paged reads; a
threshold or `for` changed in the rule and not in the text makes the page state a condition that is not the one
that fired ("above 90% for 5 minutes" from a rule that compares with 80 for 10m). The check reads the numbers
the text gives as percentages and as `for <duration>`, and reports the text when none of them is the rule's: a
percentage may be the threshold, its complement (95% used is 5% available) or a ratio threshold written as
percent; a duration may be the `for` or a window the rule reads. The burn-rate alerts of SLOs are not read:
obsgen writes their text from the same numbers as their rules.

    Alert(metric=cpu_usage, op=">", threshold=80, **{"for": "10m"},
          summary="CPU on {{ $labels.instance }} above 90% for 5 minutes")

Fix: say in the text what the rule says, or template the value ({{ $value | humanizePercentage }}).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.shapes import comparisons
from generator.core.duration import parse_seconds
from generator.core.errors import Level
from generator.core.promql import PromQLError, parse, unparen, walk
from generator.model.alerts import Alert
from generator.model.slo import SLO

CODE = "SM006"
NAME = "annotation-contradicts-rule"
LEVEL = Level.WARNING
PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?%")
HOLD = re.compile(r"\bfor (\d+(?:\.\d+)?) ?(seconds?|minutes?|hours?|days?|[smhd])\b")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _thresholds(expr: str) -> set[float]:
    """The numbers the expression's comparisons compare with."""
    found = set()
    for comparison in comparisons(expr):
        other = unparen(comparison.other)
        if type(other).__name__ == "NumberLiteral":
            found.add(float(other.val))
    return found


def _as_percent(threshold: float) -> set[float]:
    """The percentages a text may write for a threshold: itself, a ratio as percent, and their complements."""
    shown = {threshold, threshold * 100}
    return shown | {100 - value for value in shown}


def _windows(expr: str) -> set[float]:
    """Seconds of every range the expression reads."""
    try:
        root = parse(expr)
    except PromQLError:
        return set()
    return {node.range.total_seconds() for node in walk(root) if type(node).__name__ == "MatrixSelector"}


def _close(value: float, candidates: set[float]) -> bool:
    return any(math.isclose(value, candidate, rel_tol=1e-6, abs_tol=1e-9) for candidate in candidates)


def _holds(text: str) -> list[tuple[str, float]]:
    """Every `for <duration>` the text states, as written and in seconds."""
    return [(match.group(0), float(match.group(1)) * UNIT_SECONDS[match.group(2)[0]])
            for match in HOLD.finditer(text)]


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    written_by_obsgen = {slo.alert(burn) for slo in project.all(SLO) for burn in slo.alerting.windows}
    for alert in project.all(Alert):
        if alert.name in written_by_obsgen:
            continue
        text = f"{alert.summary}\n{alert.description}"
        thresholds = _thresholds(alert.condition)
        stated = list(dict.fromkeys(float(number) for number in PERCENT.findall(text)))
        allowed = {shown for threshold in thresholds for shown in _as_percent(threshold)}
        if thresholds and stated and not any(_close(number, allowed) for number in stated):
            yield Finding(alert, f"alert {alert.name}: its text states {', '.join(f'{n:g}%' for n in stated)} but "
                                 f"the rule compares with {', '.join(f'{t:g}' for t in sorted(thresholds))}",
                          ("summary",))
        holds = dict(_holds(text))
        durations = {parse_seconds(alert.for_)} | _windows(alert.condition)
        if holds and not any(_close(seconds, durations) for seconds in holds.values()):
            yield Finding(alert, f"alert {alert.name}: its text says {', '.join(map(repr, holds))} but the "
                                 f"rule holds for {alert.for_}", ("summary",))
