"""A panel's threshold colours contradict which way its values are bad.

Colours say good (green), watch (yellow, orange) and bad (red). Steps that go green -> red -> green, or that show
green where the alert on the same series fires (low conversion, little disk left), make a broken number look fine:
a 2% conversion rate shown in green.

    Panel(title="Conversion", queries="avg(job:conversion_rate:ratio_rate10m)", thresholds=((0.05, "red"),))
    # green below 5%, where ConversionRateLow fires

Fix: colour from bad to good in the direction the values improve, e.g. ((None, "red"), (0.05, "orange"),
(0.15, "green")) for a series where lower is worse; a threshold list without a base step starts red when it
climbs to green. The colours read are the panel's JSON's, what `extra=` writes over it included (an imported or
unmodelled visualisation's); thresholds in percentage mode or set per series by an override are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.semantics.shapes import comparisons, plain_series
from generator.core.errors import Level
from generator.core.promql import PromQLError, facts, parse
from generator.derive.dashboards import dashboards
from generator.derive.layout import Box
from generator.model import Panel
from generator.targets.grafana_panels import panel_json

CODE = "SM004"
NAME = "threshold-direction"
LEVEL = Level.WARNING
Steps = list[tuple[float | None, str]]
"""A panel's colour steps as Grafana reads them: (from value, None for the base step; colour)."""


def severity(color: str) -> int | None:
    """0 good, 1 watch, 2 bad; None for a colour that says neither (blue, grey, #hex)."""
    if "red" in color:
        return 2
    if "orange" in color or "yellow" in color:
        return 1
    return 0 if "green" in color else None


def _object(value: Any) -> dict[str, Any]:
    """A JSON object of verbatim extra=, {} for anything else."""
    return value if isinstance(value, dict) else {}


def panel_steps(panel: Panel) -> Steps | None:
    """The colour steps Grafana reads for the panel's values, from its JSON (what extra= writes over it included:
    an imported or unmodelled visualisation's thresholds); None when they are not on the values' scale: thresholds
    in percentage mode (shares of min..max) or set per series by an override."""
    config = _object(panel_json(panel, Box(0, 0, 1, 1)).get("fieldConfig"))
    thresholds = _object(_object(config.get("defaults")).get("thresholds"))
    overrides = config.get("overrides")
    properties = [p for o in (overrides if isinstance(overrides, list) else []) for p in _object(o).get("properties")
                  or [] if isinstance(p, dict)]
    if thresholds.get("mode", "absolute") != "absolute" or any(p.get("id") == "thresholds" for p in properties):
        return None
    return [(s.get("value") if isinstance(s.get("value"), int | float) else None, str(s.get("color") or ""))
            for s in thresholds.get("steps") or [] if isinstance(s, dict)]


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
            found = panel_steps(panel)  # the JSON's: extra= may set them (an imported panel's are there only)
            steps = [severity(color) for _, color in found or []]
            if len(steps) < 2 or None in steps:
                continue
            direction = _direction([s for s in steps if s is not None])
            what = f"dashboard {dashboard.name} panel {panel.title!r}"
            colours = " -> ".join(color for _, color in found or [])
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
