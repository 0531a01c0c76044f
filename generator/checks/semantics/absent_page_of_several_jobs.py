"""An SLO's absent page reads inputs of several scrape jobs, so it cannot join a dead job's one page.

When a scrape job dies, every SLO it feeds fires its SLIAbsent alert, and on-call gets one page for the job: the
alerts carry sli="absent" and the job their inputs come from, and the routes group them by job and sli
(derive/slo/absent.py, targets/alertmanager.py). An SLO whose watched inputs come from two jobs has no one job to
carry: its alert (max() over each input's absent()) says that some input vanished, not whose. So it pages on its
own, beside the dead job's page, one cause told twice:

    SHOP = ScrapeJob(name="shop", source=Source.APPLICATION, ...)
    SHOP_EU = ScrapeJob(name="shop-eu", source=Source.APPLICATION, ...)
    SLO(sli=RatioSLI(errors="orders_failed_total", total="orders_total"), ...)   # orders_total of shop or shop-eu?

Fix: select each input by its job (`orders_total{job="shop"}`), one SLO per job if each is a service of its own,
or declare the Metric's source as only one ScrapeJob scrapes it. Or switch the check off for the SLO when a page of
its own is what you want.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.slo.target_down import input_jobs
from generator.model import SLO

CODE = "SM010"
NAME = "absent-page-of-several-jobs"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for slo in project.all(SLO):
        jobs = input_jobs(project, slo)
        if len(jobs) > 1:
            yield Finding(slo, f"SLO {slo.service} {slo.name}: its absent alert {slo.absent_alert} watches inputs of "
                               f"scrape jobs {', '.join(jobs)}, so it cannot say whose input vanished and pages on "
                               "its own, beside the dead job's page; select each input by job=\"...\" (one SLO per "
                               "job) or declare its Metric's source as only one job scrapes it", ("sli",))
