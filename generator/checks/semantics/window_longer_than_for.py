"""An alert reads a rate or average over a window much longer than its `for`.

The `for` says how long a condition must hold before anyone is told; a window of four times that or more decides
instead: after a step change the value needs most of the window to cross the threshold (a conversion alert with
`for: 10m` over a 1-hour rate fires after about 45 minutes), and it keeps firing about as long after recovery.
Ranges read at an offset (last week's hour) are baselines, not waits, and are not counted.

    Alert(expr="sum(rate(orders_total[1h])) / sum(rate(sessions_total[1h])) < 0.05", **{"for": "10m"})
    Alert(expr="sum(rate(orders_total[10m])) / sum(rate(sessions_total[10m])) < 0.05", **{"for": "3m"})

Fix: a window close to the reaction time you want (and a minimum-traffic guard if a short window is noisy), or a
`for` that says the real delay.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.duration import format_seconds, parse_seconds
from generator.core.errors import Level
from generator.core.promql import PromQLError, parse, walk
from generator.model.project import Project

CODE = "SM005"
NAME = "window-longer-than-for"
LEVEL = Level.WARNING
RATIO = 4
"""A window more than this many times the `for` decides the delay."""


def longest_wait(project: Project, expr: str, seen: frozenset[str] = frozenset()) -> float:
    """The longest range (not at an offset) through which an expression reads scraped series, recording rules
    followed."""
    try:
        root = parse(expr)
    except PromQLError:
        return 0.0
    longest = 0.0
    for node in walk(root):
        kind = type(node).__name__
        if kind == "MatrixSelector" and not node.vector_selector.offset:
            name = str(node.vector_selector.name or "")
            if name not in project.recording_rules:
                longest = max(longest, node.range.total_seconds())
        elif kind == "VectorSelector" and not node.offset and node.name:
            rule = project.recording_rules.get(str(node.name))
            if rule is not None and rule.name not in seen:
                longest = max(longest, longest_wait(project, rule.expr, seen | {rule.name}))
    return longest


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for alert in project.alerts.values():
        hold = parse_seconds(alert.for_)
        window = longest_wait(project, alert.condition)
        if hold and window > RATIO * hold:
            yield Finding(alert, f"alert {alert.name} reads a {format_seconds(window)} window but holds only "
                                 f"{alert.for_}: the window, not `for`, decides how late it fires and resolves; "
                                 f"shorten the window or say the real delay in `for`", ("for",))
