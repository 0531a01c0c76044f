"""Every series an expression reads is defined somewhere.

A series is defined by a `Metric` (every series name of its family: `_total`, `_bucket`, ...), a `RecordingRule`
(those aggregation policies and SLOs expand into included), an imported rule set's records or its
`external_series`, a dashboard's `external_series`, or Prometheus itself (`up`, `ALERTS`, `scrape_*`). A name
nothing defines is usually a typo, and would make an alert silently never fire or a panel show "No data".

    Alert(name="CheckoutErrors", expr='rate(http_request_total{status=~"5.."}[5m]) > 1', ...)
    # error: ... reads 'http_request_total', which no Metric or RecordingRule defines; did you mean
    #        'http_requests_total'?

Fix: correct the name, or declare the series (a Metric, or `external_series` for what another system exports).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, suggestion
from generator.core.errors import Level
from generator.core.promql import PromQLError, selectors
from generator.model import Metric

CODE = "XR011"
NAME = "undefined-series"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    series = context.series
    for item in context.expressions:
        if item.variable_error:
            continue
        try:
            found = selectors(item.expr)
        except PromQLError:
            continue  # invalid-promql says so
        for name in dict.fromkeys(selector.name for selector in found if selector.name):
            if name in series or context.unresolved.covers(Metric, name):
                continue
            fix = f" ({item.kept_as_written})" if item.kept_as_written else ""
            yield Finding(item.at, f"{item.what} reads {name!r}, which no Metric or RecordingRule defines"
                                   f"{suggestion(name, series)}{fix}", item.field)
