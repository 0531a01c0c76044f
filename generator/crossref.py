"""Cross-reference checks of a loaded project: every name used is defined, once, with the right kind."""

from __future__ import annotations

from collections.abc import Iterable

from generator.errors import DefinitionError, Location
from generator.examples import expected_alert
from generator.model import (
    Alert,
    Channel,
    Dashboard,
    Definition,
    EscalationPolicy,
    Metric,
    RuleSet,
    ScrapeJob,
)
from generator.model.metrics import counter_like
from generator.model.notify import route_timing
from generator.project import Project, Warning
from generator.promql import PromQLError, selectors
from generator.slo.checks import check_slos
from generator.telemetry_refs import check as check_telemetry

# Series every Prometheus has without anybody exporting them.
SYNTHETIC_SERIES = frozenset(
    {
        "up",
        "ALERTS",
        "ALERTS_FOR_STATE",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    }
)
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets", "absent", "absent_over_time"})


def _unique(objects: Iterable[Definition], kind: str) -> None:
    first: dict[str, Location] = {}
    for obj in objects:
        name = getattr(obj, "name")  # noqa: B009
        if name in first:
            raise DefinitionError(obj.location, f"duplicate {kind} name {name!r}, first defined at {first[name]}")
        first[name] = obj.location


def defined_series(project: Project) -> dict[str, Metric | None]:
    """Every series name some source produces, with the metric family it belongs to."""
    series: dict[str, Metric | None] = dict.fromkeys(SYNTHETIC_SERIES)
    for metric in project.metrics.values():
        for name in metric.series_names():
            series[name] = metric
    for name in project.recording_rules:
        series[name] = None
    for rule_set in project.all(RuleSet):
        for name in (*rule_set.external_series, *(record.name for record in rule_set.records())):
            series.setdefault(name, None)
    for dashboard in project.all(Dashboard):
        for name in dashboard.external_series:
            series.setdefault(name, None)
    return series


def check_expr(
    expr: str, location: Location, series: dict[str, Metric | None], what: str, rated: bool = True
) -> None:
    """Parse an expression and require each series it reads to be defined (and counters rated)."""
    try:
        found = selectors(expr)
    except PromQLError as error:
        raise DefinitionError(location, f"{what}: {error}") from None
    for selector in found:
        if not selector.name:
            continue
        if selector.name not in series:
            raise DefinitionError(
                location,
                f"{what} reads {selector.name!r}, which no Metric or RecordingRule defines "
                "(declare it in definitions/, or fix the name)",
            )
        if rated and counter_like(selector.name, series[selector.name]) and selector.function not in COUNTER_FUNCTIONS:
            raise DefinitionError(
                location, f"{what} reads counter {selector.name!r} without rate()/increase(): its raw value only grows"
            )


def _need(name: str, known: Iterable[str], location: Location, kind: str) -> None:
    known = sorted(known)
    if name not in known:
        raise DefinitionError(location, f"unknown {kind} {name!r}; defined: {', '.join(known) or 'none'}")


def _check_alert(alert: Alert, project: Project, series: dict[str, Metric | None]) -> None:
    _need(alert.severity, [s.name for s in project.alerting.severities], alert.location, "severity")
    for channel in alert.channels:
        _need(channel, project.channels, alert.location, "channel")
    if alert.escalation:
        _need(alert.escalation, project.escalation_policies, alert.location, "escalation policy")
    check_expr(alert.condition, alert.location, series, f"alert {alert.name}")
    for example in alert.examples:
        if example.fires:
            try:
                expected_alert(alert, example, {"summary": alert.summary, "description": alert.description})
            except ValueError as error:
                raise DefinitionError(alert.location, f"alert {alert.name}: {error}") from None
        for selector in example.series:
            check_expr(selector, alert.location, series, f"alert {alert.name} example {example.name!r}", rated=False)


def check(project: Project) -> None:
    """Raise DefinitionError at the first broken reference; add mapping warnings to the project."""
    from generator import sidecar  # it imports this module's helpers

    for kind, label in ((Metric, "metric"), (Alert, "alert"), (Channel, "channel"),
                        (EscalationPolicy, "escalation policy"), (ScrapeJob, "scrape job")):
        _unique(project.all(kind), label)
    for name, rule in project.recording_rules.items():
        if name in project.metrics:
            raise DefinitionError(rule.location, f"recording rule {name} has the name of an exported metric")
    for severity in project.alerting.severities:
        for channel in severity.channels:
            _need(channel, project.channels, project.alerting.location, "channel")
    for policy in project.escalation_policies.values():
        for level in policy.levels:
            for channel in level.channels:
                _need(channel, project.channels, policy.location, "channel")
    series = defined_series(project)
    check_slos(project, series)
    for rule in project.recording_rules.values():
        check_expr(rule.expr, rule.location, series, f"recording rule {rule.name}")
    for alert in project.alerts.values():
        _check_alert(alert, project, series)
    from generator.crossref_dashboards import check_dashboards  # it imports check_expr from here

    check_dashboards(project, series)
    check_telemetry(project)
    from generator.imported import check_rule_sets  # it builds on check_expr above

    check_rule_sets(project, series)
    sidecar.check(project)
    _mapping_warnings(project)


def _mapping_warnings(project: Project) -> None:
    from generator.targets.kubernetes import mapping_warnings  # what packaging for prometheus-operator needs

    project.warnings.extend(mapping_warnings(project))
    where = project.alerting.location
    for severity in project.alerting.severities:
        wait, interval, repeat = route_timing(severity)
        project.warnings.append(
            Warning(where, f"severity {severity.name}: cooldown {severity.cooldown} has no Alertmanager field; "
                    f"mapped to group_wait {wait}, group_interval {interval}, repeat_interval {repeat}")
        )
    retention = project.retention
    if retention is not None:
        target = f"remote_write of recorded series to {retention.long_term_url}" if retention.long_term_url else (
            "no long-term store declared, so they live only as long as the server keeps data")
        project.warnings.append(
            Warning(retention.location, f"retention raw={retention.raw}/aggregated={retention.aggregated}/"
                    f"summary={retention.summary}: Prometheus keeps every series for "
                    f"--storage.tsdb.retention.time={retention.server_retention}; aggregated tiers are "
                    f"recording rules, and keeping them longer than raw data needs {target}")
        )
