"""The log lines a LogQL metric query counts, and what a log alert's threshold is in lines a second.

`sum by (service_name) (count_over_time({service_name="api", env="production"} | detected_level="error" [5m])) > 50`
counts the lines of the streams its selector picks that pass its pipeline, over 5 minutes; a recording rule's
`rate({service_name=~"api|rag-engine", env="production"} | detected_level="error" [5m])` records the same lines a
second for api (and rag-engine). A panel plotting the recording shows the alert's value when both read the same
lines: the same pipeline, and stream selectors that pick the same streams for the alert's series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.core.duration import parse_seconds
from generator.core.logql import LogQLError, Matcher, parse

PER_WINDOW = frozenset({"count_over_time"})
"""Range functions whose value is lines per window (rate: per second)."""
_LITERALS = re.compile(r"[\w.-]+(\|[\w.-]+)*")
_THRESHOLD = re.compile(r"(>=?|<=?)\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*$")


@dataclass(frozen=True)
class Lines:
    """What a one-selector LogQL metric query counts: the lines of the streams its selector picks that pass its
    pipeline (its text, whitespace folded), counted by its range function over its window (in seconds)."""

    selector: tuple[Matcher, ...]
    pipeline: str
    function: str  # count_over_time or rate
    window: float

    @property
    def per_second(self) -> float:
        """What one line a second is in the query's value: the window for a count, 1 for a rate."""
        return self.window if self.function in PER_WINDOW else 1.0


def counted(expr: str) -> Lines | None:
    """The lines a one-selector metric query (count_over_time or rate) counts; None for any other query."""
    try:
        query = parse(expr)
    except LogQLError:
        return None
    if len(query.selectors) != 1 or len(query.ranges) != 1:
        return None
    pipeline = re.search(r"}(.*)\[", expr, re.S)
    function = next((f for f in query.functions if f in PER_WINDOW | {"rate"}), None)
    if pipeline is None or function is None:
        return None
    return Lines(query.selectors[0], " ".join(pipeline[1].split()), function, parse_seconds(query.ranges[0]))


def threshold(expr: str) -> tuple[str, float] | None:
    """(comparison, value) an alert's LogQL compares its result with, at its end (`... > 50`)."""
    found = _THRESHOLD.search(expr)
    return (found[1], float(found[2])) if found else None


def values(matcher: Matcher) -> tuple[str, ...] | None:
    """The label values a matcher admits when it lists them (`="api"`, `=~"api|rag-engine"`), else None."""
    if matcher.op == "=":
        return (matcher.value,)
    if matcher.op == "=~" and _LITERALS.fullmatch(matcher.value):
        return tuple(matcher.value.split("|"))
    return None


def same_lines(alert: Lines, recorded: Lines) -> bool:
    """Whether a recording counts, in its series for the alert's `=` labels, the lines the alert counts: the same
    pipeline, every matcher of the recording admitting the alert's value, and no label the alert selects on that
    the recording leaves open (which would count other streams' lines too)."""
    if alert.pipeline != recorded.pipeline:
        return False
    chosen = {m.label: m.value for m in alert.selector if m.op == "="}
    if {m.label for m in alert.selector} != set(chosen):
        return False  # an alert's regex matcher: not read here
    for matcher in recorded.selector:
        admitted = values(matcher)
        if matcher.label not in chosen or admitted is None or chosen[matcher.label] not in admitted:
            return False
    return set(chosen) <= {m.label for m in recorded.selector}


def limit_per_second(expr: str) -> float | None:
    """The lines a second past which a log alert on a count or a rate fires (`count_over_time(...[5m]) > 50`:
    50 / 300), the value its panel's recorded rate crosses; None for another query."""
    lines, limit = counted(expr), threshold(expr)
    return None if lines is None or limit is None else limit[1] / lines.per_second
