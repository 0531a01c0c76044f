"""A recorded series read over [$__interval] is evaluated at least once per step of the panel's shortest step.

Anti-pattern: a panel reads `avg_over_time(job:x:rate1m[$__interval])` (a recording rule's value per step, cheap at
any range) while the rule's group is evaluated every 1m (the global evaluation_interval, or the group's own
`interval`) and Grafana's shortest step is 15s (the data source's timeInterval, the scrape interval). Zoomed in to
that step, a window of $__interval holds a recorded sample only every fourth step: the others draw nothing, and the
line breaks into dots.
Fix: evaluate the group at least as often as the shortest step (Stack's evaluation_interval, or the group's
`interval`), or give the panel a min interval no shorter than the group's interval (Panel extra={"interval": "1m"};
a query's own min step is its target's `interval`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, panels, variable_values
from generator.core.duration import format_seconds, parse_seconds
from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.core.promql import PromQLError, selectors

CODE = "GD009"
NAME = "recorded-step"
INTERVAL_WINDOW = 5 * 3600 + 5 * 60 + 5.005
"""A duration no one writes, given to $__interval: a parsed window equal to it came from the variable."""
STEP_VARIABLES = frozenset({"$__interval", "${__interval}", "$__interval_ms", "${__interval_ms}", "$__rate_interval",
                            "${__rate_interval}", "$__rate_interval_ms", "${__rate_interval_ms}"})
"""A target's min step Grafana reads as unset (pkg/promlib/models/query.go isVariableInterval)."""


def _seconds(text: str) -> float:
    """A Grafana interval: a duration or whole seconds, '<' and '>' ignored (ParseIntervalStringToTimeDuration)."""
    text = text.replace("<", "").replace(">", "").strip()
    return float(text) if text.isdigit() else parse_seconds(text)


def shortest_step(panel: dict[str, Any], target: dict[str, Any], values: dict[str, str],
                  context: LintContext) -> tuple[float, str] | None:
    """Grafana's shortest step for a target, and what sets it: the query's min step (its `interval`), else the
    panel's min interval, else the data source's timeInterval; None when it cannot be told (an unknown variable)."""
    for owner, what in ((target, "the query's min step"), (panel, "the panel's min interval")):
        text = str(owner.get("interval") or "").strip()
        if not text or text == "0s" or (owner is target and text in STEP_VARIABLES):
            continue
        try:
            return _seconds(interpolate(text, values)), what
        except (UnknownVariable, ValueError):
            return None
    return context.min_step, "the data source's timeInterval, the scrape interval"


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Targets reading a recorded series over [$__interval] whose group is evaluated less often than the step."""
    values = variable_values(dashboard)
    windows = values | {"__interval": format_seconds(INTERVAL_WINDOW)}
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            expr = str(target.get("expr") or "")
            if not expr or (target.get("instant") and not target.get("range")):
                continue  # an instant query is one step, at the end of the range
            try:
                read = selectors(interpolate(expr, windows))
            except (UnknownVariable, PromQLError):
                continue  # XR010/XR011 say so
            step = shortest_step(panel, target, values, context)
            said: set[str] = set()
            for selector in read:
                recorded = context.recorded.get(selector.name)
                if (step is None or recorded is None or selector.window is None or selector.name in said
                        or abs(selector.window - INTERVAL_WINDOW) > 1e-3 or recorded.every <= step[0]):
                    continue
                said.add(selector.name)
                every = format_seconds(recorded.every)
                yield panel, (f"query {target.get('refId', '?')} reads {selector.name}[$__interval], written by "
                              f"{recorded.said}: at Grafana's shortest step, {format_seconds(step[0])} ({step[1]}), "
                              f"most windows of $__interval hold no recorded sample and the panel draws gaps; "
                              f"evaluate the group at least every {format_seconds(step[0])}, or set the panel's min "
                              f"interval to {every} (extra={{\"interval\": \"{every}\"}})")
