"""A panel's threshold colours contradict which way its values are bad.

Colours say good (green), watch (yellow, orange) and bad (red). Steps that go green -> red -> green, or that show
green where the alert on the same series fires (low conversion, little disk left), make a broken number look fine:
a 2% conversion rate shown in green.

    Panel(title="Conversion", queries="avg(job:conversion_rate:ratio_rate10m)", thresholds=((0.05, "red"),))
    # green below 5%, where ConversionRateLow fires

Fix: colour from bad to good in the direction the values improve, e.g. ((None, "red"), (0.05, "orange"),
(0.15, "green")) for a series where lower is worse; a threshold list without a base step starts red when it
climbs to green.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from generator.checks.base import Context, Finding
from generator.checks.semantics.shapes import comparisons, plain_series
from generator.core.errors import Level
from generator.core.promql import PromQLError, facts, parse
from generator.derive.dashboards import dashboards

CODE = "SM004"
NAME = "threshold-direction"
LEVEL = Level.WARNING


def severity(color: str) -> int | None:
    """0 good, 1 watch, 2 bad; None for a colour that says neither (blue, grey, #hex)."""
    if "red" in color:
        return 2
    if "orange" in color or "yellow" in color:
        return 1
    return 0 if "green" in color else None


def _direction(steps: list[int]) -> int | None:
    """+1 when colours get worse as values rise, -1 when better, 0 when they turn back, None when flat."""
    rises = {(b > a) - (b < a) for a, b in pairwise(steps)} - {0}
    if len(rises) > 1:
        return 0
    return rises.pop() if rises else None


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    low_is_bad: dict[str, tuple[bool, str]] = {}
    for alert in project.alerts.values():
        for comparison in comparisons(alert.condition):
            watched = plain_series(comparison.watched)
            if watched:
                low_is_bad[watched] = (comparison.low_is_bad, alert.name)
    for dashboard in dashboards(project):
        for panel in dashboard.all_panels:
            steps = [severity(step.color) for step in panel.thresholds]
            if len(steps) < 2 or None in steps:
                continue
            direction = _direction([s for s in steps if s is not None])
            what = f"dashboard {dashboard.name} panel {panel.title!r}"
            colours = " -> ".join(step.color for step in panel.thresholds)
            if direction == 0:
                yield Finding(panel, f"{what}: threshold colours {colours} turn back; values are bad one way",
                              ("thresholds",))
                continue
            for query in panel.queries:
                if not any(selector.name in low_is_bad for selector in facts(query.promql).selectors):
                    continue  # it reads no series an alert watches (its cached facts say so without a parse)
                try:
                    series = plain_series(parse(query.promql))
                except PromQLError:
                    continue
                if series in low_is_bad and direction is not None:
                    low, name = low_is_bad[series]
                    if low == (direction > 0):
                        worse = "higher" if direction > 0 else "lower"
                        yield Finding(panel, f"{what}: colours {colours} say {worse} values are worse, but alert "
                                             f"{name} fires when {series} is {'low' if low else 'high'}",
                                      ("thresholds",))
