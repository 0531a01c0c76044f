"""An alert on the sidecar exporter's run counters spans fewer than two runs of a job.

`obsgen_query_consecutive_failures` and `obsgen_query_runs_missed_total` change only when a job runs. A job that
fails most runs (fail, fail, success, fail, fail) or skips every other run shows it once per two of its
intervals: an alert on the failures that keeps firing for less than that resolves at each rare success and fires
again two runs later, and one counting skipped runs over a shorter window goes quiet between two. Each return is
a new notification for the same trouble. The scrape and evaluation intervals are added: the counter's change
reaches the rule that much later.

    exporter_alerts()                                  # held and counted for 1-minute jobs
    Forecast(name="disk_free", interval="10m", ...)    # fails most runs: BusinessQueryFailing flaps

Fix: make the alerts for the slowest job (`exporter_alerts(slowest_interval="10m")` holds and counts over two of
its runs), or run the job more often.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.duration import format_seconds, parse_seconds
from generator.core.errors import Level
from generator.core.promql import PromQLError, selectors
from generator.derive.escalation import keep_firing_for
from generator.model import BusinessMetric, Forecast

CODE = "SM007"
NAME = "slow-job-flaps"
LEVEL = Level.WARNING
FAILURES = "obsgen_query_consecutive_failures"
MISSED = "obsgen_query_runs_missed_total"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    jobs: list[BusinessMetric | Forecast] = [*project.all(BusinessMetric), *project.all(Forecast)]
    if not jobs:
        return
    slowest = max(jobs, key=lambda job: parse_seconds(job.interval))
    delay = parse_seconds(project.stack.scrape_interval) + parse_seconds(project.stack.evaluation_interval)
    needed = 2 * parse_seconds(slowest.interval) + delay
    for alert in project.alerts.values():
        try:
            read = selectors(alert.condition)
        except PromQLError:
            continue  # XR010 reports it
        spans = [("keeps firing for", parse_seconds(keep_firing_for(project, alert)), ("keep_firing_for",))
                 for s in read if s.name == FAILURES and s.window is None][:1]
        spans += [("counts over", s.window, ("expr",)) for s in read if s.name == MISSED and s.window]
        for what, span, field in spans:
            if span < needed:
                yield Finding(alert, f"alert {alert.name} {what} {format_seconds(span)}, but {slowest.name} runs "
                                     f"every {slowest.interval}: failing or skipping every other run, it shows "
                                     f"only every {format_seconds(2 * parse_seconds(slowest.interval))}, so the "
                                     f"alert resolves and fires again; span at least {format_seconds(needed)} "
                                     f"(two runs, a scrape and an evaluation)", field,
                              related=(slowest.location,))
