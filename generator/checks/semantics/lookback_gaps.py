"""A rule reads at an instant a series sampled every 5 minutes or less often: between samples it vanishes.

A selector read at an instant (`x > 4`, not `x[10m]`) finds a series' last sample within Prometheus' lookback, 5
minutes; from 3.0 the lookback is left-open, as ranges are: a sample exactly 5m old is not seen. A series
scraped (or recorded by its rule group) every 5m is gone at each evaluation that falls after its sample turns 5m
old and before the next one is written: from the scrape's (or the group's) duration each time on 3.x, longer
where the interval is longer, at every missed scrape. There the alert resolves and fires again, its `for`
starts over, an absent() fires, a recording rule records nothing. Read from the scrape job sampling the series
(its `interval`, else the Stack's scrape_interval), or for a recording rule's series from its group's interval
(an aggregation policy's windows over 1h are evaluated every 5m). A selector under a subquery
(`max_over_time(x[10m:1m])`) is read at each of its steps: a gap empties some steps, not a range longer than the
interval, so it is not judged (nor is a subquery shorter than the interval). An imported RuleSet's rules are read
too, as SM017 reads them (kept as written, third-party: still a rule whose series vanishes; the warning names the
rule, at its own line).

    ScrapeJob(name="batch", source="application", targets=("batch:8080",), interval="5m")
    Alert(expr="batch_queue_length > 100", ...)                  # gone for a moment every 5m

Fix: sample the series more often (2m or less leaves room for a missed scrape), or read it over a range longer
than its interval (`max_over_time(x[10m])`, `last_over_time(x[10m])`).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.range_samples import sources
from generator.core.duration import format_seconds
from generator.core.errors import Level
from generator.core.promql import LOOKBACK, PromQLError, selectors
from generator.derive.expressions import rule_expressions
from generator.model import Definition
from generator.model.project import Project

CODE = "SM018"
NAME = "lookback-gaps"
LEVEL = Level.WARNING


def _gaps(project: Project, at: Definition, expr: str, field: tuple[str | int, ...], what: str) -> Iterator[Finding]:
    try:
        read = selectors(expr)
    except PromQLError:
        return  # XR010 says so
    said: set[str] = set()
    for selector in read:
        if selector.ranged or selector.name in said:
            continue  # a range's, or under a subquery (read at its steps: a gap empties a few, not the range)
        slow = [(every, source) for every, source in sources(project, selector) if every >= LOOKBACK]
        if slow:
            said.add(selector.name)
            every, source = max(slow)
            yield Finding(at, f"{what} reads {selector.name} at an instant, {source}: Prometheus finds its last "
                              f"sample only within 5m (its lookback, left-open from 3.0), so between samples "
                              f"{selector.name} is gone at some evaluations; sample it more often than every "
                              f"{format_seconds(every)} (2m or less leaves room for a missed scrape) or read it over "
                              f"a range (last_over_time({selector.name}[{format_seconds(2 * every)}]))", field)


def check(context: Context) -> Iterator[Finding]:
    for expression in rule_expressions(context.project):
        yield from _gaps(context.project, expression.at, expression.expr, expression.field, expression.what)
