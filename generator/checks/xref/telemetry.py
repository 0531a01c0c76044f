"""Cross-reference checks of tracing and log definitions, and the mappings they need (warnings)."""

from __future__ import annotations

from generator.core.errors import DefinitionError, Location
from generator.core.logql import LogQLError, metric_query
from generator.model.logs import SERVICE_LABEL, LogAlert, LogRecordingRule, LogStorage, LogStream
from generator.model.project import Project, Warning
from generator.model.trace_sizing import size
from generator.model.tracing import Service, TraceStorage, TracingPolicy


def _unique_names(objects: list[Service] | list[LogStream] | list[LogAlert] | list[LogRecordingRule],
                  kind: str) -> None:
    first: dict[str, Location] = {}
    for obj in objects:
        if obj.name in first:
            raise DefinitionError(obj.location,
                                  f"duplicate {kind} name {obj.name!r}, first defined at {first[obj.name]}")
        first[obj.name] = obj.location


def _at_most_one(project: Project, kind: type[TracingPolicy] | type[TraceStorage] | type[LogStorage]) -> None:
    found = project.all(kind)
    if len(found) > 1:
        raise DefinitionError(found[1].location, f"at most one {kind.__name__} may be defined, found {len(found)}")


def _check_logql(project: Project, expr: str, location: Location, what: str) -> None:
    """Parse a rule's LogQL and require its selectors to use labels some declared stream has."""
    try:
        query = metric_query(expr)
    except LogQLError as error:
        raise DefinitionError(location, f"{what}: {error}") from None
    known = {SERVICE_LABEL} | {label for stream in project.all(LogStream) for label in stream.labels}
    unknown = sorted(query.labels - known)
    if unknown:
        raise DefinitionError(location, f"{what} selects on {', '.join(unknown)}, which no LogStream indexes "
                                        f"(index labels: {', '.join(sorted(known))})")


def _check_streams(project: Project) -> None:
    services = project.by_name(Service)
    for stream in project.all(LogStream):
        if stream.service not in services:
            known = ", ".join(sorted(services)) or "none"
            raise DefinitionError(stream.location, f"log stream {stream.name}: unknown service {stream.service!r}; "
                                                   f"defined: {known}")


def _check_rules(project: Project) -> None:
    severities = [s.name for s in project.alerting.severities]
    for alert in project.all(LogAlert):
        if alert.severity not in severities:
            raise DefinitionError(alert.location, f"unknown severity {alert.severity!r}; defined: "
                                                  f"{', '.join(sorted(severities))}")
        if alert.name in project.alerts:
            raise DefinitionError(alert.location, f"log alert {alert.name} has the name of a Prometheus alert")
        _check_logql(project, alert.expr, alert.location, f"log alert {alert.name}")
    for rule in project.all(LogRecordingRule):
        if rule.name in project.recording_rules:
            raise DefinitionError(rule.location, f"LogQL recording rule {rule.name} has the name of a PromQL one")
        _check_logql(project, rule.expr, rule.location, f"LogQL recording rule {rule.name}")


def _check_tracing(project: Project, policy: TracingPolicy) -> None:
    services = project.all(Service)
    sizing = size(policy, services)
    if not sizing.fits:
        raise DefinitionError(policy.location, f"{sizing.summary()}: the buffers do not fit; raise "
                                               "collector_memory_mib or declare less traffic per collector")
    for exporter in policy.exporters:
        if exporter.enabled and exporter.mapping:
            project.warnings.append(Warning(policy.location, exporter.mapping))
    if not any(e.critical for s in services for e in s.endpoints):
        project.warnings.append(Warning(policy.location, "no endpoint is marked critical: the 100% policy for "
                                                         "critical endpoints keeps nothing"))
    project.warnings.append(Warning(policy.location, "Tempo's metrics-generator counts only sampled spans; exact "
                                                     "request rates are the collector's traces_span_metrics_* series, "
                                                     "computed before tail sampling"))


def check(project: Project) -> None:
    """Raise DefinitionError at the first broken tracing or log reference; add mapping warnings."""
    for kind in (TracingPolicy, TraceStorage, LogStorage):
        _at_most_one(project, kind)
    _unique_names(project.all(Service), "service")
    _unique_names(project.all(LogStream), "log stream")
    _unique_names(project.all(LogAlert), "log alert")
    _unique_names(project.all(LogRecordingRule), "LogQL recording rule")
    _check_streams(project)
    _check_rules(project)
    for policy in project.all(TracingPolicy):
        _check_tracing(project, policy)
