"""A panel shows whether a job is up, or imported rules select a job, and no ScrapeJob scrapes that job.

The plan's status grid lists services (api, cache, database, load balancer); a service nothing scrapes has no `up`
series, so its row is simply missing and the grid looks healthy. obsgen says which ones, and a panel can show them
as NOT SCRAPED (`-1 * absent(up{job="cache"})` with a value text for -1).

Rules imported from a mixin select the job names of the setup they were written for: kube-prometheus' node-exporter
rules read `{job="node-exporter"}`, which a `ScrapeJob(name="node")` never writes, so every such alert matches no
series and never fires (or, asking absent() of it, always fires), without a word from Prometheus. Said per rule
set, when the project declares its scrape jobs and no Kubernetes packaging (where ServiceMonitors, not the
definitions, name the jobs).

Fix: add a ScrapeJob for the service (its exporter: redis_exporter, postgres_exporter, the load balancer's own
metrics endpoint), or take it off the panel; for a rule set, name the ScrapeJob as its rules do (or re-import the
rules edited to your job names).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.listing import first_few
from generator.core.promql import Selector, facts
from generator.core.wording import counted
from generator.derive.dashboards import dashboards
from generator.model import ImportedAlert, ImportedRecord, Kubernetes, RuleSet, ScrapeJob

CODE = "MP012"
READS_EVERY = (ScrapeJob,)
NAME = "unscraped-job"
LEVEL = Level.WARNING


JOB = 'job="'
"""How a selector's facts write its `job` equality matcher: job="<value>"."""


def _jobs(selector: Selector) -> Iterator[str]:
    """The job a selector selects by equality, if any."""
    return (matcher[len(JOB):-1] for matcher in selector.matchers if matcher.startswith(JOB))


def _up_jobs(expr: str) -> set[str]:
    """Jobs an expression selects `up` of by equality (from its cached facts: no parse; none when it does not
    parse, which PQ001 reports)."""
    return {job for selector in facts(expr).selectors if selector.name == "up" for job in _jobs(selector)}


def _selected_jobs(expr: str) -> dict[str, bool]:
    """Jobs an expression selects any series of by equality (none when it does not parse), each with whether it
    only asks absent() of them (an alert that then always fires)."""
    found: dict[str, bool] = {}
    for selector in facts(expr).selectors:
        for job in _jobs(selector):
            found[job] = found.get(job, True) and selector.asked
    return found


def _fate(alerts: list[ImportedAlert], asking: set[str]) -> str:
    """What becomes of those alerts: they never fire, but those asking absent() always fire."""
    if not alerts:
        return ""
    always = sorted({rule.name for rule in alerts if rule.name in asking})
    if not always:
        return ", so those alerts never fire"
    one = len(always) == 1
    said = f"{first_few(always, 3)}, which {'asks' if one else 'ask'} absent(), always {'fires' if one else 'fire'}"
    some = len(always) < len({rule.name for rule in alerts})
    return f", so those alerts never fire, but {said}" if some else f", so {said}"


def _rule_sets(context: Context, scraped: set[str]) -> Iterator[Finding]:
    """Each rule set whose rules select a job no ScrapeJob scrapes, once per job."""
    if not scraped or context.project.all(Kubernetes):
        return
    for rule_set in context.project.all(RuleSet):
        readers: dict[str, list[ImportedAlert | ImportedRecord]] = {}
        asking: dict[str, set[str]] = {}
        for group in rule_set.groups:
            for rule in group.rules:
                for job, asked in _selected_jobs(rule.expr).items():
                    if job not in scraped:
                        readers.setdefault(job, []).append(rule)
                        asking.setdefault(job, set()).update({rule.name} if asked else set())
        for job, rules in sorted(readers.items()):
            alerts = [rule for rule in rules if isinstance(rule, ImportedAlert)]
            names = sorted({rule.name for rule in alerts})
            said = f"{counted(len(alerts), 'alert')} ({first_few(names, 3)}) and " if alerts else ""
            yield Finding(rule_set, f"rule set {rule_set.name}: {said}"
                                    f"{counted(len(rules) - len(alerts), 'recording rule')} "
                                    f"select job=\"{job}\", which no ScrapeJob scrapes (jobs: "
                                    f"{', '.join(sorted(scraped))}): they match no series"
                                    f"{_fate(alerts, asking[job])}; name the ScrapeJob {job}, "
                                    "or import the rules with your job's name")


def check(context: Context) -> Iterator[Finding]:
    # the job label its series carry: Prometheus sets job_name only on targets without a job label of their own
    scraped = {job.labels.get("job", job.name) for job in context.project.scrape_jobs}
    yield from _rule_sets(context, scraped)
    for dashboard in dashboards(context.project):
        for panel in dashboard.all_panels:
            for number, query in enumerate(panel.queries):
                for job in sorted(_up_jobs(query.promql) - scraped):
                    yield Finding(panel, f"dashboard {dashboard.name} panel {panel.title!r} shows job {job}, which "
                                         "no ScrapeJob scrapes: it has no `up` series; add a ScrapeJob for it",
                                  ("queries", number, "expr"))
