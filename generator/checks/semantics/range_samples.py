"""A rule's range holds fewer samples than its function needs, or its rule test proves it on Prometheus 2 only.

rate(), irate(), increase(), delta(), idelta(), deriv(), predict_linear() and double_exponential_smoothing()
(holt_winters() before 3.0) return nothing from a window holding one sample; avg_over_time() and the other range
functions, nothing from a window holding none. Since 3.0, Prometheus selects a range [w] at time t as (t - w, t],
left-open: a sample exactly at t - w is no longer taken (the Prometheus 3 migration guide). A window of k sample
intervals holds k samples at best, and k - 1 or k as scrapes drift: so `rate(x[1m])` over a series scraped every
1m never returns on 3.x (2.x took two samples only when a scrape fell exactly on the window's start), and any
window under two scrape intervals (one, for the *_over_time functions) returns nothing at some evaluations. Read
from the scrape job sampling the series (its `interval`, else the Stack's scrape_interval), or for a recording rule's
series from its group's interval (an aggregation policy's long windows have their own, else the Stack's
evaluation_interval), through the recording rules a rule reads. A Forecast's expression is judged too (its
exporter learns what the query returns, nothing from such a window), and an imported RuleSet's rules (kept as
written, third-party: still a rule that never returns; the warning says at which rule, to scrape more often or
leave the rule out).

The rule tests obsgen writes are run here by promtool, whose evaluation is Prometheus 2's wherever Debian's 2.42
is installed, and their samples fall on the windows' starts (an example's samples every `interval`, evaluated at
multiples of it): a rate() over [1m] of an example sampled every 1m sees two samples there and one on a 3.x
server. Where Stack.prometheus_version is 3.0.0 or later, an example whose `interval` equals such a window is
warned of, since its test passes for a rule that returns nothing on the server it is written for.

    Alert(expr="rate(errors_total[1m]) > 1", ...)                 # scraped every 1m: never a value on 3.x
    Alert(expr="rate(errors_total[5m]) > 1", examples=(Example(..., interval="5m"),))  # proven only on 2.x

Fix: a window of at least two sample intervals for a rate and the like (four, as Grafana's $__rate_interval
takes, leaves room for a missed scrape), one for the other range functions; an example sampled more often than
its rule's shortest such window.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.checks.base import Context, Finding
from generator.checks.lint.gd009_window_samples import TWO_SAMPLES
from generator.checks.lint.scrape_intervals import scraped_series, selected
from generator.core.duration import format_seconds, parse_seconds
from generator.core.errors import Level
from generator.core.promql import PromQLError, Selector, selectors
from generator.core.releases import ordered
from generator.derive.aggregation import group_intervals
from generator.derive.expressions import rule_expressions
from generator.model import Alert, Definition
from generator.model.project import Project

CODE = "SM017"
NAME = "range-samples"
LEVEL = Level.WARNING
RELEASES = True
"""Whether an example's test proves its rule depends on Stack.prometheus_version: run on a profiled project."""
LEFT_OPEN_SINCE = (3, 0, 0)
"""The first Prometheus whose range selectors are left-open (prometheus/prometheus#13904, the 3.0 migration
guide's "Left-open range selectors")."""


@dataclass(frozen=True)
class Read:
    """A range a rule reads, and through which recording rule ('' for its own expression)."""

    selector: Selector
    through: str


def needed(selector: Selector) -> int:
    """Samples a range function needs in its window to return a value."""
    return 2 if selector.function in TWO_SAMPLES else 1


def ranges_read(project: Project, expr: str) -> list[Read]:
    """The ranges under a function an expression reads, its recording rules followed (each once)."""
    found: list[Read] = []
    todo, seen = [(expr, "")], set()
    while todo:
        text, through = todo.pop(0)
        try:
            read = selectors(text)
        except PromQLError:
            continue  # XR010 says so
        for selector in read:
            if selector.window is not None and selector.function:
                found.append(Read(selector, through))
            rule = project.recording_rules.get(selector.name)
            if rule is not None and rule.name not in seen:
                seen.add(rule.name)
                todo.append((rule.expr, rule.name))
    return found


def sources(project: Project, selector: Selector) -> list[tuple[float, str]]:
    """(seconds between two samples, what writes them) of each source a selector may read."""
    rule = project.recording_rules.get(selector.name)
    if rule is not None:
        own = group_intervals(project).get(rule.group)
        every = parse_seconds(own or project.stack.evaluation_interval)
        why = f"its group {rule.group}'s interval" if own else "the Stack's evaluation_interval"
        return [(every, f"recorded by {rule.name} every {format_seconds(every)} ({why})")]
    jobs = scraped_series(project).get(selector.name, ())
    return [(job.every, job.said) for job in selected(selector.matchers, jobs, project.stack.prometheus_version)]


def _outcome(selector: Selector) -> str:
    """What a range function gives for a window short of samples."""
    return "it says the series is absent" if selector.function == "absent_over_time" else "it returns nothing"


def _shown(read: Read) -> str:
    selector = read.selector
    through = f" (through {read.through})" if read.through else ""
    return f"{selector.function}({selector.name}[{format_seconds(selector.window or 0)}]){through}"


def _short_windows(project: Project, at: Definition, reads: list[Read], field: tuple[str | int, ...], what: str,
                   left_open: bool) -> Iterator[Finding]:
    said: set[str] = set()
    for read in reads:
        if read.through:
            continue  # the recording rule is checked itself
        selector, need = read.selector, needed(read.selector)
        window = selector.window or 0.0
        short = [(every, source) for every, source in sources(project, selector) if window < need * every]
        if not short or _shown(read) in said:
            continue
        said.add(_shown(read))
        every, source = max(short)
        never = window <= (need - 1) * every if left_open else window < (need - 1) * every
        when = "at every evaluation" if never else "at some evaluations"
        samples = "the two samples" if need == 2 else "the sample"
        why = ("Prometheus 3 reads a range left-open: a sample on its start is not taken" if left_open else
               "Prometheus 2 takes a sample on its start only where a scrape falls exactly there")
        yield Finding(at, f"{what} reads {_shown(read)}, {source}: a {format_seconds(window)} window holds fewer "
                          f"than {samples} {selector.function}() needs {when} ({why}), so {_outcome(selector)} "
                          f"there; read at least {format_seconds(need * every)} ({format_seconds(4 * every)} "
                          f"leaves room for a missed scrape)", field)


def _example_on_boundary(alert: Alert, reads: list[Read]) -> Iterator[Finding]:
    """An example sampled every `interval`, evaluated at its multiples: a window of (needed - 1) intervals holds
    one more sample in promtool's Prometheus 2 than on Prometheus 3 (`reads`: the ranges its condition reads)."""
    for number, example in enumerate(alert.examples):
        spacing = parse_seconds(example.interval)
        boundary = [read for read in reads
                    if needed(read.selector) == 2 and abs((read.selector.window or 0.0) - spacing) < 1e-9]
        if boundary:
            read = boundary[0]
            yield Finding(alert, f"alert {alert.name} example {example.name!r} is sampled every {example.interval} "
                                 f"and its rule reads {_shown(read)}: promtool here (Prometheus 2, a closed range) "
                                 f"finds two samples in each window, Prometheus 3 (left-open) one, so "
                                 f"{read.selector.function}() returns nothing there and the test proves a rule "
                                 f"the server does not evaluate so; sample the example more often (interval="
                                 f"\"{format_seconds(spacing / 2)}\") or read a longer window",
                          ("examples", number))


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    left_open = ordered(project.stack.prometheus_version) >= LEFT_OPEN_SINCE
    for expression in rule_expressions(project):
        reads = ranges_read(project, expression.expr)  # read once: both the windows and the examples judge them
        yield from _short_windows(project, expression.at, reads, expression.field, expression.what, left_open)
        if left_open and isinstance(expression.at, Alert):
            yield from _example_on_boundary(expression.at, reads)
