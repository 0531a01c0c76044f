"""A gauge (histogram, summary) of the project's own is named like a counter, `_total`.

`_total` names counters (Prometheus' naming, OpenMetrics): people read `payment_queue_depth_total` as a count that
only grows, Grafana's query builder hints rate() on it, and PromQL's "might not be a counter" note stays silent on
rate() of it, which then reads every fall of the queue as a counter reset. Only the project's own sources are judged
(`Source.APPLICATION`, `SIDECAR`, a `BusinessMetric`): another exporter's names are its own.

    Metric(name="payment_queue_depth_total", type=MetricType.GAUGE, source=Source.APPLICATION, ...)   # reported
    Metric(name="payment_queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, ...)

A warning, not a refusal: a client library the application uses may give the name, which the definitions then
have to declare as it is (prom-client's default `nodejs_active_handles_total`, a gauge of every Node.js service).

Fix: the name without `_total`, or a counter if it only grows; a name a library gives is switched off at the
definition, `# obsgen: disable=SM024 prom-client's default gauge`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import Metric, MetricType, Source

CODE = "SM024"
NAME = "gauge-named-total"
LEVEL = Level.WARNING
OWN_NAMES = frozenset({Source.APPLICATION, Source.SIDECAR})
"""Sources whose metric names the project chooses (its services, obsgen's exporter); another exporter's names are
its own, _total gauges of older exporters among them."""


def check(context: Context) -> Iterator[Finding]:
    for metric in context.project.all(Metric):
        if metric.type is not MetricType.COUNTER and metric.name.endswith("_total") and metric.source in OWN_NAMES:
            yield Finding(metric, f"{metric.type} {metric.name!r} ends in _total, which names counters (Prometheus' "
                                  "naming, OpenMetrics): readers and tools take it for one (Grafana's query builder "
                                  "hints rate() on it, and PromQL's 'might not be a counter' note stays silent on "
                                  f"rate() of it); name it {metric.name.removesuffix('_total')!r}, or make it a "
                                  "counter if it only grows; a name a client library gives (prom-client's "
                                  f"nodejs_active_handles_total) is kept with `# obsgen: disable={CODE}` at it",
                          ("name",))
