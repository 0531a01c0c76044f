"""An SLO's input selects series its application creates only at their first event, so its SLIAbsent alert
cannot watch it.

Client libraries create a labelled counter's child the first time a label value is used (prometheus.io,
instrumentation practices: avoid missing metrics). After a deploy on a quiet night such an input selects nothing
until the first request, just as after a rename or a failed scrape, and an absent() alert on it would page for a
normal night. The SLO's SLIAbsent alert therefore watches only inputs that exist from their exporter's start, and
without this warning the one left out would go unwatched in silence: if it vanishes, the burn-rate alerts cannot
fire and nobody is told.

    http_requests = Metric(name="http_requests_total", type=MetricType.COUNTER, labels=("route", "code"), ...)
    SLO(sli=RatioSLI(total='http_requests_total{route="/checkout"}', ...))            # not watched

Fix: create the label values at 0 at start-up (prometheus_client: `requests.labels(route="/checkout",
code="200")` without inc()) and declare them, `Metric(initial_labels=({"route": "/checkout", "code": "200"},))`,
or `initialised=True` for an exporter that creates every value at start (Prometheus per rule group, Alertmanager
per integration); or give the SLO `SLOAlerting(absent=False)` to say nothing should watch it.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.series import metric_families
from generator.derive.slo.absent import uncounted_after_restart
from generator.model import SLO

CODE = "SM008"
NAME = "uninitialised-sli-input"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    families = metric_families(context.project)
    for slo in context.project.all(SLO):
        if not slo.alerting.absent:
            continue
        lazy = uncounted_after_restart(slo, families)
        if not lazy:
            continue
        left = len(lazy) == len(slo.sli.inputs())
        for text, metric in lazy:
            yield Finding(
                slo, f"SLO {slo.service} {slo.name}: input {text} selects series that metric {metric.name} creates "
                     "only at their first event (no initial_labels select it, not initialised): after a restart on a "
                     "quiet night it selects nothing, as after a rename, so "
                     + (f"the SLO has no {slo.absent_alert} alert" if left else
                        f"{slo.absent_alert} does not watch it") +
                     "; create its label values at 0 at start-up and declare them in the Metric's initial_labels, or "
                     "give the SLO SLOAlerting(absent=False)",
                ("sli",), (metric.location,))
