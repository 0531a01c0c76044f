"""The rule side of an alert's latency: from a change in the monitored system to its expression seeing it.

What lies between the change and an expression, per series it reads:

    scraped series     the next scrape (its interval), and for `up` the scrape timeout too: a target that
                       hangs is marked down only when its scrape gives up
    exporter series    the sidecar exporter recomputes them only when a job runs: the first run that starts
                       after the change (its interval) and ends (its timeout), then the scrape. A forecast's
                       outputs also wait for its own PromQL to see the change, and for the next whole step of
                       its history grid (generator/exporter/forecast_job.window); a count of consecutive
                       failed runs `>= N` waits for N runs
    recorded series    the recording rule's own read path, then one evaluation of its group (the group's own
                       `interval:` when it has one, else the global one)
    ALERTS             written by rule evaluation itself: nothing before it

A range over W (a rate, *_over_time) reflects a step change fully after W; ranges over recorded series
compare with the past (a 7-day average) and are not waited for. Of the series an expression reads, the
slowest path counts (the largest sum, so the columns printed add up to it).

Inputs are generated documents (rule groups, exporter.yml), so `obsgen latency` (from the definitions) and
`obsgen diff` (from an out/ tree) read the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from generator.core.duration import parse_seconds
from generator.core.promql import PromQLError, parse, selectors, walk
from generator.library.exporter import FORECAST_METRICS

EVALUATED_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
"""Series Prometheus writes when it evaluates rules, not when it scrapes."""
DEFAULT_SCRAPE_TIMEOUT = 10.0
"""Prometheus' scrape_timeout when none is set (capped at the scrape interval)."""
SCRAPE_HEALTH = "up"
"""The series a scrape sets to 0 only once it has failed: after the timeout for a target that hangs."""
FORECAST_OUTPUTS = frozenset(metric.name for metric in FORECAST_METRICS)
CAPACITY_OUTPUTS = frozenset({"obsgen_capacity_seconds_to_exhaustion", "obsgen_recommendation_info"})
"""Written only by forecasts with a capacity."""
FAILED_RUNS = "obsgen_query_consecutive_failures"
DATABASE_UP, PROMETHEUS_UP = "obsgen_database_up", "obsgen_prometheus_up"


@dataclass(frozen=True)
class Recorded:
    """A recording rule: its expression and the evaluation interval of its group."""

    expr: str
    interval: float


@dataclass(frozen=True)
class ExporterJob:
    """A job of the sidecar exporter: a SQL query (database set) or a forecast (expr and step set)."""

    name: str
    interval: float
    timeout: float
    database: str = ""
    expr: str = ""
    step: float = 0.0
    capacity: bool = False

    @property
    def run(self) -> float:
        """From a change to the end of the first run that sees it: a run starting at most an interval later,
        ending at most a timeout after its start (a forecast also waits for the step its grid ends on)."""
        return self.step + self.interval + self.timeout


@dataclass(frozen=True)
class Sources:
    """Everything before an expression: scrape settings, recording rules, the exporter's jobs."""

    scrape_interval: float
    scrape_timeout: float
    recorded: Mapping[str, Recorded]
    jobs: tuple[ExporterJob, ...] = ()


@dataclass(frozen=True)
class ReadPath:
    """The delays between a change and an expression seeing it, in seconds."""

    scrape: float = 0.0
    job: float = 0.0
    """Exporter runs: the series' own job, and before it any job its forecast reads through."""
    window: float = 0.0
    evaluations: float = 0.0
    """Recording-rule levels, each its group's interval (not the alert's own evaluation)."""

    @property
    def total(self) -> float:
        """Their sum."""
        return self.scrape + self.job + self.window + self.evaluations


def scrape_timeout(interval: float, configured: str | None = None) -> float:
    """The scrape timeout Prometheus uses: the configured one, else its default capped at the interval."""
    return parse_seconds(configured) if configured else min(DEFAULT_SCRAPE_TIMEOUT, interval)


def rule_intervals(groups: Iterable[Mapping[str, Any]], default: float) -> tuple[dict[str, Recorded], dict[str, float]]:
    """Recording rules by name (the first of a name wins) and alert names' group intervals (the first rule of a
    name: the alert itself, before its escalation copies), from rule groups as Prometheus reads them."""
    recorded: dict[str, Recorded] = {}
    alerts: dict[str, float] = {}
    for group in groups:
        interval = parse_seconds(str(group["interval"])) if group.get("interval") else default
        for rule in group.get("rules") or ():
            if "record" in rule:
                recorded.setdefault(str(rule["record"]), Recorded(str(rule["expr"]), interval))
            elif "alert" in rule:
                alerts.setdefault(str(rule["alert"]), interval)
    return recorded, alerts


def exporter_jobs(config: Mapping[str, Any]) -> tuple[ExporterJob, ...]:
    """The jobs of an exporter.yml document (queries, then forecasts)."""
    queries = tuple(ExporterJob(str(q["name"]), parse_seconds(str(q["interval"])), parse_seconds(str(q["timeout"])),
                                database=str(q["database"])) for q in config.get("queries") or ())
    forecasts = tuple(ExporterJob(str(f["name"]), parse_seconds(str(f["interval"])), parse_seconds(str(f["timeout"])),
                                  expr=str(f["expr"]), step=parse_seconds(str(f["step"])),
                                  capacity=bool(f.get("capacity")))
                      for f in config.get("forecasts") or ())
    return queries + forecasts


def slowest(paths: Iterable[ReadPath]) -> ReadPath:
    """The path with the largest total (the first of equals), or nothing to wait for."""
    return max(paths, key=lambda path: path.total, default=ReadPath())


def _runs(expr: str) -> int:
    """How many failed runs in a row an expression on the failure count waits for (1 when it does not say)."""
    try:
        root = parse(expr)
    except PromQLError:
        return 1
    for node in walk(root):
        if (type(node).__name__ == "BinaryExpr" and str(node.op) in (">=", ">", "==")
                and type(node.lhs).__name__ == "VectorSelector" and node.lhs.name == FAILED_RUNS
                and type(node.rhs).__name__ == "NumberLiteral"):
            return int(node.rhs.val) + (1 if str(node.op) == ">" else 0)
    return 1


def _exporter_path(name: str, expr: str, sources: Sources, seen: frozenset[str]) -> ReadPath | None:
    """The path of a series the exporter produces, None when it produces no series of that name."""
    queries = [job for job in sources.jobs if job.database]
    forecasts = [job for job in sources.jobs if not job.database]
    scrape = sources.scrape_interval
    if name in FORECAST_OUTPUTS:  # a forecast that reads forecasts (its own) is not followed round again
        return slowest(replace(inner, scrape=inner.scrape + scrape, job=inner.job + job.run)
                       for job in forecasts if job.name not in seen and (job.capacity or name not in CAPACITY_OUTPUTS)
                       for inner in [read_path(job.expr, sources, seen | {job.name})])
    if name == FAILED_RUNS:  # per job: N runs, the last one ending at its timeout
        runs = _runs(expr)
        return ReadPath(scrape, max((runs * job.interval + job.timeout for job in sources.jobs), default=0.0))
    if name in (DATABASE_UP, PROMETHEUS_UP):  # one gauge per source, set by whichever of its jobs runs first
        feeding = queries if name == DATABASE_UP else forecasts
        first = {source: min(job.interval + job.timeout for job in feeding if job.database == source)
                 for source in {job.database for job in feeding}}
        return ReadPath(scrape, max(first.values(), default=0.0))
    if name.startswith("obsgen_query_"):  # the other self-metrics: set at the end of every job's runs
        return ReadPath(scrape, max((job.interval + job.timeout for job in sources.jobs), default=0.0))
    query = next((job for job in queries if job.name == name), None)
    return ReadPath(scrape, query.interval + query.timeout) if query is not None else None


def read_path(expr: str, sources: Sources, seen: frozenset[str] = frozenset()) -> ReadPath:
    """The slowest path from a change to the expression, over every series it reads."""
    paths = []
    for selector in selectors(expr):
        name, window = selector.name, selector.window or 0.0
        rule = sources.recorded.get(name)
        if rule is not None:
            if name not in seen:
                inner = read_path(rule.expr, sources, seen | {name})
                paths.append(replace(inner, evaluations=inner.evaluations + rule.interval))
        elif name not in EVALUATED_SERIES:
            exported = _exporter_path(name, expr, sources, seen)
            if exported is not None:
                paths.append(replace(exported, window=exported.window + window))
            else:
                health = sources.scrape_timeout if name == SCRAPE_HEALTH else 0.0
                paths.append(ReadPath(sources.scrape_interval + health, window=window))
    return slowest(paths)
