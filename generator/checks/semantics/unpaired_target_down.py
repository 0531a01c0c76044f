"""An SLO's absent page and TargetDown cannot be paired, so one dead service is told twice.

When a scrape job's targets all die, the SLO's SLIAbsent alert pages after 2m and TargetDown warns about the same
job after 10m, through another route. obsgen mutes TargetDown of the jobs the SLO's inputs are scraped by while
the page fires (an Alertmanager inhibit rule, derive/slo/target_down.py), as kube-prometheus mutes a warning with
the critical alert of the same cause. That rule needs to know which job an input comes from, and TargetDown must
tell jobs apart:

    SLO(sli=RatioSLI(total='orders_total{job=~"shop.*"}', ...))     # which job? a pattern
    SLO(sli=RatioSLI(total="job:orders:rate5m", ...))                # a recorded series: from any job
    Alert(name="TargetDown", expr="count(up == 0) > 0", ...)         # no job label: muting it would mute all
    Alert(name="TargetDown", ..., labels={"job": "infra"})           # a static job: every job reads alike

The page must also fire first: a TargetDown told before the page and muted later has its resolution muted too
(prometheus/alertmanager#2754). The page is sure to have fired a scrape, an evaluation, the longest range its
expression reads and its `for` after the job dies (derive/slo/page_order.py); TargetDown fires its `for` after:

    Alert(name="TargetDown", expr="count by (job) (up == 0) > 0", for_="2m", ...)   # 2m against 2m30s at 15s

Fix: select the input by its job (`job="shop"`), or declare its Metric with the source of the ScrapeJob that
scrapes it; give TargetDown a result by job (`count by (job) (up == 0) ...`, as the library's meta_alerts does),
and a `for` longer than the pages' (the library's is 10m).
Or switch the check off for the SLO when its input is not scraped by this Prometheus.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.duration import format_seconds
from generator.core.errors import Level
from generator.derive.slo.page_order import PageOrder, out_of_order
from generator.derive.slo.target_down import TARGET_DOWN, target_down_keeps_job, unpaired_input, watched_inputs
from generator.model import SLO, ScrapeJob

CODE = "SM009"
READS_EVERY = (ScrapeJob,)
NAME = "unpaired-target-down"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    keeps_job = target_down_keeps_job(project)
    if keeps_job is None:
        return  # no TargetDown: nothing tells the dead job twice
    target_down = project.alerts[TARGET_DOWN]
    for slo in project.all(SLO):
        if not watched_inputs(project, slo):
            continue
        if not keeps_job:
            yield Finding(slo, f"SLO {slo.service} {slo.name}: {TARGET_DOWN} does not tell one job from another (its "
                               "result has no job label, or a static one), so "
                               f"{slo.absent_alert} cannot mute it for its own job alone and a dead service is told "
                               f"twice; aggregate {TARGET_DOWN} by (job) and give it no static job label",
                          ("sli",), (target_down.location,))
        elif unknown := unpaired_input(project, slo):
            yield Finding(slo, f"SLO {slo.service} {slo.name}: no scrape job is known for input {unknown} (a job "
                               "pattern, a recorded series, or a Metric whose source no ScrapeJob scrapes), so "
                               f"{slo.absent_alert} cannot mute {TARGET_DOWN} of its job and a dead service is told "
                               "twice; select the input by job=\"...\" or declare its Metric's source", ("sli",))
    for order in out_of_order(project):
        yield Finding(order.slo, _late(order), ("alerting",), (target_down.location,))


def _late(order: PageOrder) -> str:
    slo, page, told = order.slo, order.page, format_seconds
    return (f"SLO {slo.service} {slo.name}: {page.name} is sure to fire only {told(order.page_told)} after its jobs "
            f"die ({page.for_} `for` + {told(order.longest_range)} longest range + "
            f"{told(order.scrape_and_evaluation)} a scrape and an evaluation), not before {TARGET_DOWN} "
            f"({order.target_down.for_} `for`) which it mutes: a {TARGET_DOWN} told first and muted later has its "
            "resolution muted too (prometheus/alertmanager#2754), so a dead service is told twice; give "
            f"{TARGET_DOWN} a `for` longer than {told(order.page_told)}")
