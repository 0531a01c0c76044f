"""Cross-reference checks of what the sidecar exporter runs: business metrics, their databases, forecasts."""

from __future__ import annotations

from generator.checks.xref.common import check_expr
from generator.core.errors import DefinitionError
from generator.derive.series import defined_series
from generator.model import BusinessMetric, Database, ExporterSettings, Forecast, ScrapeJob, Source
from generator.model.project import Project, Warning


def check(project: Project) -> None:
    """Raise DefinitionError at the first broken exporter reference; warn when the scrape job misses it."""
    declared = project.all(ExporterSettings)
    if len(declared) > 1:
        raise DefinitionError(declared[1].location, f"ExporterSettings is already defined at {declared[0].location}")
    databases: dict[str, Database] = {}
    for database in project.all(Database):
        if database.name in databases:
            raise DefinitionError(database.location, f"database {database.name!r} is already defined at "
                                  f"{databases[database.name].location}")
        databases[database.name] = database
    jobs: dict[str, BusinessMetric | Forecast] = {}
    candidates: list[BusinessMetric | Forecast] = [*project.all(BusinessMetric), *project.all(Forecast)]
    for job in candidates:
        if job.name in jobs:
            raise DefinitionError(
                job.location, f"exporter job name {job.name!r} is taken by {type(jobs[job.name]).__name__} at "
                f"{jobs[job.name].location}: the `query` label of the self-metrics must tell them apart")
        jobs[job.name] = job
    for metric in project.all(BusinessMetric):
        if metric.database not in databases:
            known = ", ".join(sorted(databases)) or "none"
            raise DefinitionError(metric.location, f"unknown database {metric.database!r}; defined: {known}")
    series = defined_series(project)
    for forecast in project.all(Forecast):
        check_expr(forecast.expr, forecast.location, series, f"forecast {forecast.name}")
    if jobs:
        _scrape_job_warning(project)


def _scrape_job_warning(project: Project) -> None:
    declared = project.all(ExporterSettings)
    port = project.exporter.port
    scraped = [job for job in project.all(ScrapeJob) if job.source is Source.SIDECAR]
    targets = [target for job in scraped for target in job.targets]
    if not any(target.endswith(f":{port}") for target in targets):
        where = scraped[0].location if scraped else (declared[0] if declared else project.stack).location
        project.warnings.append(Warning(
            where, f"the sidecar exporter listens on port {port} but no sidecar-exporter scrape job targets that "
                   f"port ({', '.join(targets) or 'no job'}): its metrics will not reach Prometheus"))
