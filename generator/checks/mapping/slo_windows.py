"""An SLO's burn-rate windows and its window fit what Prometheus keeps.

A burn window whose factor is below 1 alerts on burns that would leave budget at the end of the SLO window; an
SLO window longer than Prometheus' retention has an error budget that covers only the retained part.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.duration import parse_seconds
from generator.core.errors import Level
from generator.model import SLO
from generator.model.slo import number

CODE = "MP006"
NAME = "slo-windows"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    retention = context.project.retention
    for slo in context.project.all(SLO):
        for burn in slo.alerting.windows:
            if burn.factor(slo.window) < 1:
                sustainable = number(parse_seconds(burn.long) / parse_seconds(slo.window) * 100)
                yield Finding(slo, f"SLO {slo.service} {slo.name}: the {burn.long} window's factor "
                                   f"{number(burn.factor(slo.window))} is below 1, so it alerts on burns that leave "
                                   f"budget at the end of {slo.window}; give it budget_percent={sustainable} or more "
                                   "(Sloth's 7d example uses windows of its own)", ("alerting",))
        if retention is not None and parse_seconds(slo.window) > parse_seconds(retention.server_retention):
            yield Finding(slo, f"SLO {slo.service} {slo.name}: window {slo.window} is longer than Prometheus keeps "
                               f"data ({retention.server_retention}): its error budget only covers the retained part",
                          ("window",))
