"""A server of the stack the definitions configure, and no scrape job for it: nothing alerts on it.

Prometheus and its Alertmanagers always; Grafana when a GrafanaServer is declared, Loki with a LogStorage, Tempo
and the OpenTelemetry Collector with a TracingPolicy, Jaeger with its enabled jaeger exporter; node-exporter when
metrics of its source are declared. A component nobody scrapes has no `up` (TargetDown never fires for it) and none
of its own metrics, so the meta-monitoring alerts on it (ConfigReloadFailed, AlertmanagerMembersInconsistent,
OtelCollectorExportFailing...) watch nothing, and the dashboards show it healthy by showing nothing. Each
Alertmanager of the pair must be a target: one left out fails unseen while the other delivers. The collector is
scraped on its own telemetry port; the span metrics it exports on another port say nothing of its health. The
sidecar exporter is MP008's.

A warning, not an error: the files obsgen writes are valid and load, and a second Prometheus may be the one
watching this one (federation, a central meta-monitoring server), which the definitions do not see; there,
switch the check off for the Stack.

Fix: add a ScrapeJob of the component's source targeting it (Source.ALERTMANAGER with every address of
Stack.alertmanagers, Source.OTEL_COLLECTOR on the collector's telemetry port 8888, Source.JAEGER on the exporter's
host at port 8888, where Jaeger v2 serves its own metrics).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import Definition, GrafanaServer, LogStorage, Metric, ScrapeJob, Source, TracingPolicy
from generator.model.tracing import JAEGER_TELEMETRY_PORT
from generator.targets.otelcol import TELEMETRY_PORT

CODE = "MP014"
READS_EVERY = (ScrapeJob,)
NAME = "unscraped-component"
LEVEL = Level.WARNING


def _components(context: Context) -> Iterator[tuple[Definition, Source, str, str]]:
    """(where it is declared, its source, what it is, the target it must be scraped at; '' for any)."""
    project = context.project
    yield project.stack, Source.PROMETHEUS, "Prometheus", ""
    for address in project.stack.alertmanagers:
        yield project.stack, Source.ALERTMANAGER, f"Alertmanager {address}", address
    for server in project.all(GrafanaServer)[:1]:
        yield server, Source.GRAFANA, "Grafana", ""
    for storage in project.all(LogStorage)[:1]:
        yield storage, Source.LOKI, "Loki", ""
    for policy in project.all(TracingPolicy)[:1]:
        yield policy, Source.TEMPO, "Tempo", ""
        yield policy, Source.OTEL_COLLECTOR, "the OpenTelemetry Collector", f":{TELEMETRY_PORT}"
        for jaeger in policy.exporters:
            if jaeger.enabled and jaeger.protocol == "jaeger":
                yield policy, Source.JAEGER, "Jaeger", f"{jaeger.host}:{JAEGER_TELEMETRY_PORT}"
    exporter = next((metric for metric in project.all(Metric) if metric.source is Source.NODE_EXPORTER), None)
    if exporter is not None:
        yield exporter, Source.NODE_EXPORTER, "node-exporter", ""


def _scraped(jobs: list[ScrapeJob], source: Source, target: str) -> bool:
    """Whether a job of this source scrapes the target (host:port, or any host on :port)."""
    targets = [found for job in jobs if job.source is source for found in job.targets]
    if target.startswith(":"):
        return any(found.endswith(target) for found in targets)
    return any(found == target for found in targets) if target else bool(targets)


def check(context: Context) -> Iterator[Finding]:
    jobs = list(context.project.scrape_jobs)
    for where, source, component, target in _components(context):
        if not _scraped(jobs, source, target):
            at = "" if not target else f" on port {target[1:]}" if target.startswith(":") else f" at {target}"
            field = ("alertmanagers",) if source is Source.ALERTMANAGER else ()
            yield Finding(where, f"{component} runs in the stack but no {source.value} scrape job scrapes it{at}: no "
                                 "alert can fire on it (not even TargetDown); add a ScrapeJob for it", field)
