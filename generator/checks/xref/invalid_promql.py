"""Every PromQL expression parses.

Recording rules, alert conditions, the series of alert examples, forecasts, imported rules, and dashboard queries
and variables (with Grafana's variables filled in by their defaults) are parsed by a real PromQL parser
(promql-parser, the Prometheus grammar). An expression that does not parse would make promtool reject the rule
file, or show an error in the panel.

    RecordingRule(name="job:errors:rate5m", expr="sum by (job) (rate(errors_total[5m])")   # missing ")"

An experimental function or aggregation (double_exponential_smoothing, sort_by_label, limitk, info, mad_over_time,
ts_of_max_over_time...: Prometheus' `Experimental: true` ones) is an error too: Prometheus 3 runs it only with
--enable-feature=promql-experimental-functions, which the stacks obsgen writes (compose, Kubernetes, the live
stack) do not set, so Prometheus would refuse to load the rule file; Prometheus 2 has none of them.

    Alert(name="LoadTrend", expr="double_exponential_smoothing(node_load1[10m], 0.3, 0.3) > 4", ...)

Fix: correct the expression; the message quotes the parser's error. For an experimental function, write the
expression without it (predict_linear, deriv, avg_over_time).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import EXPERIMENTAL_FLAG, PromQLError, check_syntax, experimental

CODE = "XR010"
NAME = "invalid-promql"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    for item in context.expressions:
        if item.variable_error:
            continue
        try:
            check_syntax(item.expr)
        except PromQLError as error:
            yield Finding(item.at, f"{item.what}: {error}", item.field)
            continue
        called = experimental(item.expr)
        if called:
            one = len(called) == 1
            yield Finding(item.at, f"{item.what}: {', '.join(f'{name}()' for name in called)} "
                                   f"{'is' if one else 'are'} experimental: Prometheus 3 runs {'it' if one else 'them'}"
                                   f" only with {EXPERIMENTAL_FLAG}, which obsgen's stacks (compose, Kubernetes, the "
                                   "live stack) do not set: Prometheus refuses the expression (a rule file using it "
                                   "does not load; Prometheus 2 has none); write it without", item.field)
