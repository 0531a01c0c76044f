"""Checks of SLOs against the project: their SLIs read the right kind of series, their window is kept."""

from __future__ import annotations

from generator.core.duration import parse_seconds
from generator.core.errors import DefinitionError
from generator.model import SLO, BoolGaugeSLI, Metric, MetricType, RatioSLI
from generator.model.metrics import counter_like
from generator.model.project import Project, Warning
from generator.model.slo import number


def _check_sli(slo: SLO, series: dict[str, Metric | None]) -> None:
    sli = slo.sli
    if not isinstance(sli, RatioSLI | BoolGaugeSLI):
        return  # a LatencySLI holds its Metric and checked it at construction
    where = f"SLO {slo.service} {slo.name}"
    for selector in sli.selectors:
        if selector.name not in series:
            raise DefinitionError(slo.location, f"{where} reads {selector.name!r}, which no Metric or RecordingRule "
                                                "defines (declare it in definitions/, or fix the name)")
        metric = series[selector.name]
        if isinstance(sli, RatioSLI) and not counter_like(selector.name, metric):
            kind = metric.type if metric else "recorded or synthetic series"
            raise DefinitionError(slo.location, f"{where}: {selector.name} is a {kind}; a ratio SLI counts events "
                                                "with counters (a 0/1 gauge such as up needs BoolGaugeSLI)")
        if isinstance(sli, BoolGaugeSLI) and metric is not None and metric.type is not MetricType.GAUGE:
            raise DefinitionError(slo.location, f"{where}: {selector.name} is a {metric.type}; a bool-gauge SLI "
                                                "needs a gauge that is 1 when good and 0 when bad")


def check_slos(project: Project, series: dict[str, Metric | None]) -> None:
    """DefinitionError for an SLI over a wrong kind of series; warnings for slow factors and short retention."""
    retention = project.retention
    for slo in project.all(SLO):
        _check_sli(slo, series)
        for burn in slo.alerting.windows:
            if burn.factor(slo.window) < 1:
                sustainable = number(parse_seconds(burn.long) / parse_seconds(slo.window) * 100)
                project.warnings.append(Warning(
                    slo.location, f"SLO {slo.service} {slo.name}: the {burn.long} window's factor "
                    f"{number(burn.factor(slo.window))} is below 1, so it alerts on burns that leave budget at the "
                    f"end of {slo.window}; give it budget_percent={sustainable} or more (Sloth's 7d example uses "
                    "windows of its own)"))
        if retention is not None and parse_seconds(slo.window) > parse_seconds(retention.server_retention):
            project.warnings.append(Warning(
                slo.location, f"SLO {slo.service} {slo.name}: window {slo.window} is longer than Prometheus keeps "
                f"data ({retention.server_retention}): its error budget only covers the retained part"))
