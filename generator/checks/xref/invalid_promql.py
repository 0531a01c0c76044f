"""Every PromQL expression parses.

Recording rules, alert conditions, the series of alert examples, forecasts, imported rules, and dashboard queries
and variables (with Grafana's variables filled in by their defaults) are parsed by a real PromQL parser
(promql-parser, the Prometheus grammar). An expression that does not parse would make promtool reject the rule
file, or show an error in the panel.

    RecordingRule(name="job:errors:rate5m", expr="sum by (job) (rate(errors_total[5m])")   # missing ")"

A selector's regex is read as Prometheus reads it, with Go's regexp (generator.core.go_regex): one the parser
takes but Go refuses (`(?x)`, which Rust's regex takes) is an error with Go's words, as Prometheus would say.

A function the Stack's Prometheus release does not know by the name written is an error with Prometheus' words:
holt_winters is double_exponential_smoothing from 3.0.0 (Stack.prometheus_version says which release runs).

An experimental function or aggregation (double_exponential_smoothing, sort_by_label, limitk, info, mad_over_time,
ts_of_max_over_time...: Prometheus' `Experimental: true` ones) is an error too, unless the stacks obsgen writes
(compose, Kubernetes, the live stack: targets.prometheus.FEATURES) enable promql-experimental-functions: Prometheus 3
runs it only with --enable-feature=promql-experimental-functions, without which it would refuse to load the rule
file; Prometheus 2 has none of them.

    Alert(name="LoadTrend", expr="double_exponential_smoothing(node_load1[10m], 0.3, 0.3) > 4", ...)

Fix: correct the expression; the message quotes the parser's error. For an experimental function, write the
expression without it (predict_linear, deriv, avg_over_time); for holt_winters, the name the release knows.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import (
    EXPERIMENTAL_FEATURE,
    EXPERIMENTAL_FLAG,
    MATCHER,
    PromQLError,
    check_syntax,
    experimental,
    selectors,
)
from generator.core.promql_text import release_refusal
from generator.core.selector_regex import selector_regex
from generator.targets import prometheus

CODE = "XR010"
NAME = "invalid-promql"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def _refused_regex(expr: str, release: str) -> str:
    """The first selector regex of the expression the Prometheus release refuses, with Go's words ('' if none);
    read from the expression's facts, which a build keeps across builds (no parse of an unchanged rule)."""
    if "~" not in expr:
        return ""  # no regex matcher (most expressions)
    for selector in selectors(expr):
        for matcher in sorted(selector.matchers):
            found = MATCHER.fullmatch(matcher)
            if found is not None and "~" in found[2]:
                try:
                    selector_regex(found[3], release)
                except ValueError as error:
                    return f"{selector.name}{{{matcher}}}: {error}"
    return ""


def check(context: Context) -> Iterator[Finding]:
    release = context.project.stack.prometheus_version
    for item in context.expressions:
        if item.variable_error:
            continue
        try:
            check_syntax(item.expr)
        except PromQLError as error:
            yield Finding(item.at, f"{item.what}: {error}", item.field)
            continue
        unknown = release_refusal(item.expr, release)
        if unknown:
            yield Finding(item.at, f"{item.what}: Prometheus {release} refuses it: {unknown} (holt_winters is "
                                   "double_exponential_smoothing from 3.0.0)", item.field)
            continue
        refused = _refused_regex(item.expr, release)
        if refused:
            yield Finding(item.at, f"{item.what}: Prometheus refuses the selector {refused}", item.field)
            continue
        called = experimental(item.expr) if EXPERIMENTAL_FEATURE not in prometheus.FEATURES else ()
        if called:
            one = len(called) == 1
            yield Finding(item.at, f"{item.what}: {', '.join(f'{name}()' for name in called)} "
                                   f"{'is' if one else 'are'} experimental: Prometheus 3 runs {'it' if one else 'them'}"
                                   f" only with {EXPERIMENTAL_FLAG}, which obsgen's stacks (compose, Kubernetes, the "
                                   "live stack) do not set: Prometheus refuses the expression (a rule file using it "
                                   "does not load; Prometheus 2 has none); write it without", item.field)
