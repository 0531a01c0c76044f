"""The checks of a loaded project, run in order: names unique and defined, expressions valid, mappings said."""

from __future__ import annotations

from generator.checks.xref import exporter as sidecar
from generator.checks.xref.common import check_expr, need, unique
from generator.checks.xref.dashboards import check_dashboards
from generator.checks.xref.kubernetes import mapping_warnings
from generator.checks.xref.rulesets import check_rule_sets
from generator.checks.xref.slo import check_slos
from generator.checks.xref.telemetry import check as check_telemetry
from generator.core.errors import DefinitionError
from generator.derive.examples import expected_alert
from generator.derive.series import defined_series
from generator.model import Alert, Channel, EscalationPolicy, Metric, ScrapeJob
from generator.model.notify import route_timing
from generator.model.project import Project, Warning


def _check_alert(alert: Alert, project: Project, series: dict[str, Metric | None]) -> None:
    need(alert.severity, [s.name for s in project.alerting.severities], alert.location, "severity")
    for channel in alert.channels:
        need(channel, project.channels, alert.location, "channel")
    if alert.escalation:
        need(alert.escalation, project.escalation_policies, alert.location, "escalation policy")
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
    for kind, label in ((Metric, "metric"), (Alert, "alert"), (Channel, "channel"),
                        (EscalationPolicy, "escalation policy"), (ScrapeJob, "scrape job")):
        unique(project.all(kind), label)
    for name, rule in project.recording_rules.items():
        if name in project.metrics:
            raise DefinitionError(rule.location, f"recording rule {name} has the name of an exported metric")
    for severity in project.alerting.severities:
        for channel in severity.channels:
            need(channel, project.channels, project.alerting.location, "channel")
    for policy in project.escalation_policies.values():
        for level in policy.levels:
            for channel in level.channels:
                need(channel, project.channels, policy.location, "channel")
    series = defined_series(project)
    check_slos(project, series)
    for rule in project.recording_rules.values():
        check_expr(rule.expr, rule.location, series, f"recording rule {rule.name}")
    for alert in project.alerts.values():
        _check_alert(alert, project, series)
    check_dashboards(project, series)
    check_telemetry(project)
    check_rule_sets(project, series)
    sidecar.check(project)
    _mapping_warnings(project)


def _mapping_warnings(project: Project) -> None:
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
