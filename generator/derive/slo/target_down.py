"""One dead service, one notification: an SLO's absent page mutes TargetDown of the jobs its inputs are scraped by.

When every target of a scrape job stops answering, its series go stale: the absent alert of each SLO reading them
pages after its `for` (2m, absent.py), and TargetDown (kube-prometheus' warning, more than 10% of a job's targets
down for 10m) follows for the same job, through another route. kube-prometheus keeps one cause one notification
with inhibit rules (a critical alert mutes the warning of the same name and namespace; InfoInhibitor mutes info);
Sloth and Pyrra write Prometheus rules only and leave the pairing to Alertmanager's configuration. Here it is
generated: while an SLO's absent alert fires, TargetDown of exactly the jobs its watched inputs come from is muted
(target matchers name the jobs, so a dead job never mutes another job's TargetDown; `equal` holds the stack's
external labels, so one Prometheus' page mutes only its own TargetDown). Once the page resolves, a TargetDown
still firing is notified: the job is still down, and no page says so any more.

The page comes first (2m against 10m; in a compressed build too, whose map of `for`s keeps their order:
derive/time_compression.held), so the TargetDown it mutes was not told before; a TargetDown told first
(a job losing its targets one by one) and muted later has its resolution muted too (prometheus/alertmanager#2754):
a warning's email, no incident left open. SM009 names the SLOs whose page cannot be paired so, or may fire
after the TargetDown it mutes (page_order.py; `obsgen up` warns of a time scale that does that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from generator.core.matcher_text import quoted
from generator.core.selector_regex import label_matches
from generator.derive.result_labels import expression_labels
from generator.derive.series import defined_series, metric_families
from generator.derive.slo.absent import watched
from generator.model import SLO, Metric, ScrapeJob
from generator.model.conventions import JOB_LABEL
from generator.model.project import Project
from generator.model.sli import Selector, parse_selector

TARGET_DOWN = "TargetDown"
"""kube-prometheus' name of the alert that a job's targets cannot be scraped (generator/library/meta.py's)."""
UP = "up"
"""Prometheus' own series of each target: 0 while the target is down, never absent for it."""


def watched_inputs(project: Project, slo: SLO) -> tuple[str, ...]:
    """The inputs the SLO's absent alert reads (none when it has no absent alert)."""
    if not slo.alerting.absent:
        return ()
    return watched(slo, metric_families(project))


def _jobs_of(selector: Selector, families: Mapping[str, Metric], scrape_jobs: Sequence[ScrapeJob]) -> tuple[str, ...]:
    """The scrape jobs whose targets expose the selector's series: the jobs its job matcher names, else those of
    its metric's source (none when no declared Metric says where it comes from)."""
    named = [value for label, op, value in selector.matchers if label == JOB_LABEL and op == "="]
    if named:
        return tuple(named)
    metric = families.get(selector.name)
    if metric is None:
        return ()
    return tuple(job.name for job in scrape_jobs if job.source is metric.source and _may_select(selector, job))


def _may_select(selector: Selector, job: ScrapeJob) -> bool:
    """Whether the selector's matchers on labels the job sets (job, its static labels) accept the job's values;
    the exporter's own labels (an application's service) are its to set."""
    fixed = {**job.labels, JOB_LABEL: job.name}
    return all(label_matches(op, value, fixed[label]) for label, op, value in selector.matchers if label in fixed)


def paired(inputs: tuple[str, ...], families: Mapping[str, Metric],
           scrape_jobs: Sequence[ScrapeJob]) -> tuple[tuple[str, ...], str]:
    """The jobs the absent alert's inputs (`watched`) come from, and the first input that comes from no known job
    ('' if none): a recorded series, a job matcher by pattern, a source nothing scrapes (families: series name ->
    its declared Metric)."""
    jobs: dict[str, None] = {}
    for text in inputs:
        selector = parse_selector(text)
        if selector.name == UP:
            continue
        found = () if any(label == JOB_LABEL and op != "=" for label, op, _ in selector.matchers) else \
            _jobs_of(selector, families, scrape_jobs)
        if not found:
            return tuple(jobs), text
        jobs.update(dict.fromkeys(found))
    return tuple(jobs), ""


def _paired(project: Project, slo: SLO) -> tuple[tuple[str, ...], str]:
    return paired(watched_inputs(project, slo), metric_families(project), project.scrape_jobs)


def unpaired_input(project: Project, slo: SLO) -> str:
    """The absent alert's first input whose scrape job is unknown, so no TargetDown can be paired with it ('')."""
    return _paired(project, slo)[1]


def input_jobs(project: Project, slo: SLO) -> tuple[str, ...]:
    """The scrape jobs the absent alert's inputs come from; none when one of them comes from no known job (its
    TargetDown cannot be told apart) or every input is `up`, which a dead target keeps (at 0)."""
    jobs, unknown = _paired(project, slo)
    return () if unknown else tuple(jobs)


def target_down_keeps_job(project: Project) -> bool | None:
    """Whether the project's TargetDown tells one job from another (its result carries `job`); None without one."""
    alert = project.alerts.get(TARGET_DOWN)
    if alert is None:
        return None
    series = defined_series(project)
    labels = expression_labels(project, alert.condition, lambda name: getattr(series.get(name), "labels", None))
    return JOB_LABEL in labels and JOB_LABEL not in (alert.labels or {})  # a static job would name every job alike


def pairings(project: Project) -> list[dict[str, Any]]:
    """alertmanager.yml's inhibit_rules entries: each SLO's absent page mutes TargetDown of its inputs' jobs."""
    if not target_down_keeps_job(project):
        return []
    equal = sorted(project.stack.external_labels)
    rules = []
    for slo in project.all(SLO):
        source = [f'alertname="{slo.absent_alert}"', *(f'{name}="{value}"' for name, value in
                                                       sorted(slo.series_labels.items()))]
        for job in input_jobs(project, slo):  # one rule per job: equality, no job name read as a regex
            rule: dict[str, Any] = {"source_matchers": source,
                                    "target_matchers": [f'alertname="{TARGET_DOWN}"', f'{JOB_LABEL}="{quoted(job)}"']}
            rules.append(rule | ({"equal": equal} if equal else {}))
    return rules
