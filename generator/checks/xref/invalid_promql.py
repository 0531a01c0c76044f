"""Every PromQL expression parses.

Recording rules, alert conditions, the series of alert examples, forecasts, imported rules, and dashboard queries
and variables (with Grafana's variables filled in by their defaults) are parsed by a real PromQL parser
(promql-parser, the Prometheus grammar). An expression that does not parse would make promtool reject the rule
file, or show an error in the panel.

    RecordingRule(name="job:errors:rate5m", expr="sum by (job) (rate(errors_total[5m])")   # missing ")"

Fix: correct the expression; the message quotes the parser's error.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import PromQLError, check_syntax

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
