"""A panel shows whether a job is up, and no ScrapeJob scrapes that job.

The plan's status grid lists services (api, cache, database, load balancer); a service nothing scrapes has no `up`
series, so its row is simply missing and the grid looks healthy. obsgen says which ones, and a panel can show them
as NOT SCRAPED (`-1 * absent(up{job="cache"})` with a value text for -1).

Fix: add a ScrapeJob for the service (its exporter: redis_exporter, postgres_exporter, the load balancer's own
metrics endpoint), or take it off the panel.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import facts
from generator.derive.dashboards import dashboards

CODE = "MP012"
NAME = "unscraped-job"
LEVEL = Level.WARNING


JOB = 'job="'
"""How a selector's facts write its `job` equality matcher: job="<value>"."""


def _up_jobs(expr: str) -> set[str]:
    """Jobs an expression selects `up` of by equality (from its cached facts: no parse; none when it does not
    parse, which PQ001 reports)."""
    return {matcher[len(JOB):-1] for selector in facts(expr).selectors if selector.name == "up"
            for matcher in selector.matchers if matcher.startswith(JOB)}


def check(context: Context) -> Iterator[Finding]:
    scraped = {job.name for job in context.project.scrape_jobs}
    for dashboard in dashboards(context.project):
        for panel in dashboard.all_panels:
            for number, query in enumerate(panel.queries):
                for job in sorted(_up_jobs(query.promql) - scraped):
                    yield Finding(panel, f"dashboard {dashboard.name} panel {panel.title!r} shows job {job}, which "
                                         "no ScrapeJob scrapes: it has no `up` series; add a ScrapeJob for it",
                                  ("queries", number, "expr"))
