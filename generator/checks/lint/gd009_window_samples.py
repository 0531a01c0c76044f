"""A series read over [$__interval] or [$__rate_interval] has a sample in every window at the panel's shortest step
(two for rate() and the like).

Anti-pattern: a panel reads `avg_over_time(job:x:rate1m[$__interval])` (a recording rule's value per step, cheap at
any range) while the rule's group is evaluated every 1m (the global evaluation_interval, or the group's own
`interval`) and Grafana's shortest step is 15s (the data source's timeInterval, the scrape interval). Zoomed in to
that step, a window of $__interval holds a recorded sample only every fourth step: the others draw nothing, and the
line breaks into dots. A scraped series does the same when the ScrapeJob producing it has its own `interval` (1m)
longer than the step. rate(), irate(), increase(), delta(), idelta(), deriv() and predict_linear() need two samples
in a window: over [$__interval] at a step of one scrape interval they return nothing at most steps. Over
[$__rate_interval] too, for a job scraping every 1m: Grafana makes it max($__interval + s, 4 s) with s the query's
min step, else the data source's timeInterval (15s), so at the shortest step its 1m window holds one scrape.
Fix: evaluate the group (Stack's evaluation_interval, or the group's `interval`) or scrape the job at least as
often as the shortest step, or give the panel a min interval no shorter than the group's or job's interval (Panel
extra={"interval": "1m"}; a query's own min step is its target's `interval`). For rate() and the like, use
[$__rate_interval] (at least 4 times the data source's timeInterval); for a job scraping less often than that, also
set the query's min step to the job's interval (Query extra={"interval": "1m"}), which $__rate_interval then takes
for the scrape interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.checks.lint.dashboard_json import INTERVAL_WINDOW, RATE_WINDOW, LintContext, panels, variable_values
from generator.checks.lint.scrape_intervals import selected
from generator.core.duration import format_seconds, parse_seconds
from generator.core.grafana_promql import UnknownVariable, interpolate
from generator.core.promql import PromQLError, Selector, selectors
from generator.model import Query

CODE = "GD009"
NAME = "window-samples"
STEP_VARIABLES = frozenset({"$__interval", "${__interval}", "$__interval_ms", "${__interval_ms}", "$__rate_interval",
                            "${__rate_interval}", "$__rate_interval_ms", "${__rate_interval_ms}"})
"""A target's min step Grafana reads as unset (pkg/promlib/models/query.go isVariableInterval)."""
TWO_SAMPLES = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "holt_winters",
                         "double_exponential_smoothing"})
"""Functions returning nothing for a window of one sample (Prometheus' promql/functions.go)."""


@dataclass(frozen=True)
class Source:
    """What writes a series' samples, as a message names it: a rule group or a scrape job."""

    every: float
    """Seconds between two of its samples."""
    said: str
    sample: str
    """What a message calls one of its samples."""
    faster: str
    """How a message says to sample it more often."""


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


def _sources(selector: Selector, context: LintContext) -> tuple[Source, ...]:
    """Where a selector's samples come from: the rule group recording it, else the scrape jobs it may read."""
    recorded = context.recorded.get(selector.name)
    if recorded is not None:
        return (Source(recorded.every, f"written by {recorded.said}", "recorded sample", "evaluate the group"),)
    return tuple(Source(job.every, f"scraped by {job.said}", "sample", f"scrape job {job.job!r}")
                 for job in selected(selector.matchers, context.scraped.get(selector.name, ()),
                                     context.prometheus_version))


def rate_window(step: float, target: dict[str, Any], values: dict[str, str], context: LintContext) -> float:
    """$__rate_interval at the step: max($__interval + s, 4 s), s the query's min step, else the data source's
    timeInterval (Grafana's pkg/promlib/models/query.go calculateRateInterval, grafana/grafana#77234)."""
    text = str(target.get("interval") or "").strip()
    try:
        scrape = _seconds(interpolate(text, values)) if text and text not in STEP_VARIABLES else context.min_step
    except (UnknownVariable, ValueError):
        scrape = context.min_step
    return max(step + scrape, 4 * scrape)


def _window(selector: Selector, step: float, rate: float) -> float | None:
    """Seconds of the selector's window at the step when it is $__interval's or $__rate_interval's; else None."""
    for marker, seconds in ((INTERVAL_WINDOW, step), (RATE_WINDOW, rate)):
        if selector.window is not None and abs(selector.window - marker) < 1e-3:
            return seconds
    return None


def _message(selector: Selector, source: Source, step: tuple[float, str], rate: float) -> str:
    """What is wrong with reading the selector over [$__interval] or [$__rate_interval] (rate: what
    $__rate_interval is at the step) at the step, and the fixes."""
    every, at = format_seconds(source.every), f"at Grafana's shortest step, {format_seconds(step[0])} ({step[1]})"
    min_step = f"the query's min step at {every} (Query extra={{\"interval\": \"{every}\"}})"
    needs = f"the two samples {selector.function}() needs" if selector.function in TWO_SAMPLES else "a sample"
    if selector.window is not None and abs(selector.window - RATE_WINDOW) < 1e-3:
        return (f"{selector.function}({selector.name}[$__rate_interval]), {source.said}: {at}, $__rate_interval is "
                f"{format_seconds(rate)} and most of its windows hold fewer than {needs}, so the panel draws no "
                f"value there; set {min_step}, which $__rate_interval counts as the scrape interval")
    if selector.function in TWO_SAMPLES:
        slower = f" and {min_step}, which $__rate_interval counts as the scrape interval" \
            if rate < 2 * source.every else ""
        return (f"{selector.function}({selector.name}[$__interval]), {source.said}: {at}, most windows of "
                f"$__interval hold fewer than {needs} and the panel draws no value there; use "
                f"[$__rate_interval]{slower}")
    return (f"{selector.name}[$__interval], {source.said}: {at}, most windows of $__interval hold no "
            f"{source.sample} and the panel draws gaps; {source.faster} at least every {format_seconds(step[0])}, "
            f"or set the panel's min interval to {every} (extra={{\"interval\": \"{every}\"}})")


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Targets reading a series over [$__interval] or [$__rate_interval] that is sampled less often than each
    window needs."""
    values = variable_values(dashboard)
    windows = values | {"__interval": format_seconds(INTERVAL_WINDOW)}
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            expr = str(target.get("expr") or "")
            if not expr or (target.get("instant") and not target.get("range")) or Query.trace_link(expr):
                continue  # an instant query is one step, at the end of the range; a trace link draws nothing
            try:
                read = selectors(interpolate(expr, windows))
            except (UnknownVariable, PromQLError):
                continue  # XR010/XR011 say so
            step = shortest_step(panel, target, values, context)
            if step is None:
                continue
            rate = rate_window(step[0], target, values, context)
            said: set[str] = set()
            for selector in read:
                window = _window(selector, step[0], rate)
                if window is None or selector.name in said:
                    continue
                needed = 2 if selector.function in TWO_SAMPLES else 1
                short = [source for source in _sources(selector, context) if window < needed * source.every]
                if short:
                    said.add(selector.name)
                    slowest = max(short, key=lambda source: source.every)
                    yield panel, f"query {target.get('refId', '?')} reads {_message(selector, slowest, step, rate)}"
