"""An SLO's indicator reads defined series of the kind it needs.

A ratio SLI counts good and bad events with counters; a bool-gauge SLI needs a gauge that is 1 when good and 0
when bad (such as `up`). Reading the wrong kind gives an error ratio that means nothing, and an undefined series
gives no ratio at all.

Fix: read counters in a RatioSLI, a 0/1 gauge in a BoolGaugeSLI, and declare every series they read.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, suggestion
from generator.core.errors import Level
from generator.model import SLO, BoolGaugeSLI, Metric, MetricType, RatioSLI
from generator.model.metrics import counter_like

CODE = "XR017"
NAME = "sli-series-kind"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    series = context.series
    for slo in context.project.all(SLO):
        sli = slo.sli
        if not isinstance(sli, RatioSLI | BoolGaugeSLI):
            continue  # a LatencySLI holds its Metric and checked it at construction
        where = f"SLO {slo.service} {slo.name}"
        for selector in sli.selectors:
            if selector.name not in series:
                if not context.unresolved.covers(Metric, selector.name):
                    yield Finding(slo, f"{where} reads {selector.name!r}, which no Metric or RecordingRule defines"
                                       f"{suggestion(selector.name, series)}", ("sli",))
                continue
            metric = series[selector.name]
            if isinstance(sli, RatioSLI) and not counter_like(selector.name, metric):
                kind = metric.type if metric else "recorded or synthetic series"
                yield Finding(slo, f"{where}: {selector.name} is a {kind}; a ratio SLI counts events with counters "
                                   "(a 0/1 gauge such as up needs BoolGaugeSLI)", ("sli",))
            if isinstance(sli, BoolGaugeSLI) and metric is not None and metric.type is not MetricType.GAUGE:
                yield Finding(slo, f"{where}: {selector.name} is a {metric.type}; a bool-gauge SLI needs a gauge "
                                   "that is 1 when good and 0 when bad", ("sli",))
