"""The sidecar exporter is scraped where it listens.

When business metrics or forecasts are defined, a scrape job of source SIDECAR must target the exporter's port;
otherwise its series never reach Prometheus and every panel and alert reading them shows nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import BusinessMetric, ExporterSettings, Forecast, ScrapeJob, Source

CODE = "MP008"
READS_EVERY = (ScrapeJob,)
NAME = "exporter-scraped"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    if not project.all(BusinessMetric) and not project.all(Forecast):
        return
    port = project.exporter.port
    scraped = [job for job in project.all(ScrapeJob) if job.source is Source.SIDECAR]
    targets = [target for job in scraped for target in job.targets]
    if not any(target.endswith(f":{port}") for target in targets):
        declared = project.all(ExporterSettings)
        where = scraped[0] if scraped else declared[0] if declared else project.stack
        yield Finding(where, f"the sidecar exporter listens on port {port} but no sidecar-exporter scrape job targets "
                             f"that port ({', '.join(targets) or 'no job'}): its metrics will not reach Prometheus")
