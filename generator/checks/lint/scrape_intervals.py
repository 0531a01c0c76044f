"""How often each scraped series is sampled: the scrape jobs whose source exports a declared metric, with each
job's effective scrape interval (its own `interval`, else the Stack's scrape_interval, as prometheus.yml says it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from generator.core.duration import format_seconds, parse_seconds
from generator.core.promql import MATCHER
from generator.core.selector_regex import label_matches
from generator.derive.series import metric_families
from generator.model.conventions import JOB_LABEL
from generator.model.project import Project

INTERVAL_FROM = {True: "its own interval", False: "the Stack's scrape_interval"}
"""Where a job's scrape interval comes from, by whether it sets its `interval`."""


@dataclass(frozen=True)
class Scraped:
    """A scrape job sampling a series: its name, the labels it sets on every target, and how often it scrapes."""

    job: str
    where: str
    """The ScrapeJob's definition (file:line)."""
    every: float
    """Seconds between two scrapes of the job's targets: its own `interval`, else the Stack's scrape_interval."""
    own_interval: bool
    labels: Mapping[str, str] = field(default_factory=dict)
    """The job label and the job's static labels."""

    @property
    def said(self) -> str:
        """How a message names the job and why it scrapes so often."""
        return (f"scrape job {self.job!r} ({self.where}), scraped every {format_seconds(self.every)} "
                f"({INTERVAL_FROM[self.own_interval]})")


def scraped_series(project: Project) -> dict[str, tuple[Scraped, ...]]:
    """The jobs scraping each series of a declared metric: those scraping the metric's source (computed once per
    project, shared: SM017 asks for every range a rule reads)."""
    return project.derived(scraped_series, lambda: _scraped_series(project))


def _scraped_series(project: Project) -> dict[str, tuple[Scraped, ...]]:
    default = parse_seconds(project.stack.scrape_interval)
    jobs = [(job.source, Scraped(job.name, str(job.location), parse_seconds(job.interval) if job.interval else default,
                                 bool(job.interval), {**job.labels, JOB_LABEL: job.name}))
            for job in project.scrape_jobs]
    return {name: by for name, metric in metric_families(project).items()
            if (by := tuple(scraped for source, scraped in jobs if source is metric.source))}


def _may_match(matcher: str, labels: Mapping[str, str], release: str) -> bool:
    """Whether a matcher on a label the job sets accepts the job's value, as that Prometheus release reads it (any
    other label is the exporter's)."""
    found = MATCHER.fullmatch(matcher)
    if found is None or found[1] not in labels:
        return True
    try:
        return label_matches(found[2], found[3], labels[found[1]], release)
    except ValueError:  # a regex Prometheus refuses (promtool says so) or obsgen cannot read: the job may be selected
        return True


def selected(matchers: Iterable[str], jobs: Iterable[Scraped], release: str) -> tuple[Scraped, ...]:
    """The jobs a selector's matchers may read from, read as that Prometheus release reads them."""
    wanted = tuple(matchers)
    return tuple(job for job in jobs if all(_may_match(matcher, job.labels, release) for matcher in wanted))
