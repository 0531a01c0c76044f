"""Prometheus: prometheus.yml and one rule file per group (recording, aggregation, alerts, escalation)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.core.duration import parse_seconds
from generator.core.errors import UNKNOWN
from generator.core.releases import PROMETHEUS_DECLARED_FILE
from generator.derive.aggregation import group_intervals
from generator.derive.annotations import alert_annotations
from generator.derive.dashboards import dashboard_url
from generator.derive.escalation import (
    copy_annotations,
    escalation_labels,
    keep_firing_for,
    told_escalation,
)
from generator.model import Alert, RecordingRule, ScrapeJob, Source, conventions
from generator.model.project import Project

FEATURES = ("exemplar-storage",)
"""Feature flags the server must run with (--enable-feature=...): exemplars the collector exposes in OpenMetrics
are stored, so latency panels link to traces."""
LONG_TERM_SERIES = "[^:]+:[^:]+:.+"  # level:metric:operation, i.e. recorded series only


def config(project: Project) -> dict[str, Any]:
    """prometheus.yml."""
    stack = project.stack
    document: dict[str, Any] = {
        "global": {
            "scrape_interval": stack.scrape_interval,
            "evaluation_interval": stack.evaluation_interval,
            "external_labels": dict(sorted(stack.external_labels.items())),
        },
        "rule_files": ["rules/*.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": list(stack.alertmanagers)}]}]},
        "scrape_configs": [],
    }
    for job in project.scrape_jobs:
        scrape: dict[str, Any] = {"job_name": job.name}
        if job.interval:
            scrape["scrape_interval"] = job.interval
        if job.metrics_path != "/metrics":
            scrape["metrics_path"] = job.metrics_path
        if job.source is Source.SIDECAR:  # its forecasts keep the instance and job of the series they learn from
            scrape["honor_labels"] = True
        static: dict[str, Any] = {"targets": list(job.targets)}
        if job.labels:
            static["labels"] = dict(sorted(job.labels.items()))
        scrape["static_configs"] = [static]
        scrape |= client_settings(job)
        document["scrape_configs"].append(scrape)
    retention = project.retention
    if retention is not None and retention.long_term_url:
        document["remote_write"] = [{
            "url": retention.long_term_url,
            "write_relabel_configs": [
                {"source_labels": ["__name__"], "regex": LONG_TERM_SERIES, "action": "keep"}
            ],
        }]
    if project.profile is not None and project.profile.out_of_order_time_window:
        document["storage"] = {"tsdb": {"out_of_order_time_window": project.profile.out_of_order_time_window}}
    return document


CLIENT_SETTINGS = ("scheme", "tls_config", "authorization", "basic_auth")
"""The keys of a scrape config client_settings writes (nothing for plain http without credentials)."""


def client_settings(job: ScrapeJob) -> dict[str, Any]:
    """A scrape config's scheme, tls_config, authorization and basic_auth, as Prometheus names them: credentials as
    the files holding them, never their content (prometheus.yml and out/kubernetes/'s scrape configs alike)."""
    settings: dict[str, Any] = {}
    if job.scheme != "http":
        settings["scheme"] = job.scheme
    if job.tls_config is not None and (tls := job.tls_config.model_dump(exclude_defaults=True)):
        settings["tls_config"] = tls
    if job.authorization is not None:  # bearer_token_file is deprecated upstream: authorization's file succeeds it
        settings["authorization"] = {"type": "Bearer", **job.authorization.model_dump()}
    if job.basic_auth is not None:
        settings["basic_auth"] = job.basic_auth.model_dump()
    return settings


def alert_rule(project: Project, alert: Alert) -> dict[str, Any]:
    """The rule entry of one alert."""
    labels = {conventions.SEVERITY_LABEL: alert.severity, **alert.labels, **escalation_labels(project, alert)}
    annotations = alert_annotations(project, alert.name, alert.summary, alert.description,
                                    dashboard_url(project, alert) if alert.dashboard else "", alert.plan_name)
    rule: dict[str, Any] = {"alert": alert.name, "expr": alert.condition}
    if alert.for_ != "0s":
        rule["for"] = alert.for_
    hold = keep_firing_for(project, alert)
    if parse_seconds(hold):
        rule["keep_firing_for"] = hold
    rule["labels"] = dict(sorted(labels.items()))
    rule["annotations"] = annotations
    return rule


def escalation_copies(project: Project, alert: Alert, rule: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(group, rule entry) of each escalation level of an alert whose own rule entry is `rule`.

    A copy's labels are those of the alert's ALERTS series (all of the alert's) plus its level.
    """
    return [(level.group, {
        "alert": alert.name, "expr": level.expr(alert.condition, rule["labels"]), "for": level.after,
        "labels": level.labels,
        "annotations": copy_annotations(level, rule["annotations"], dips=True),
    }) for level in told_escalation(project, alert)]


def _recording_rule(rule: RecordingRule) -> dict[str, Any]:
    entry: dict[str, Any] = {"record": rule.name, "expr": rule.expr}
    if rule.labels:
        entry["labels"] = dict(sorted(rule.labels.items()))
    return entry


def rule_groups(project: Project) -> dict[str, dict[str, Any]]:
    """Rule groups by name, each as written to prometheus/rules/<name>.yml."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    intervals = group_intervals(project)  # a definition's group never takes their names (the loader refuses it)
    for rule in project.recording_rules.values():
        groups[rule.group].append(_recording_rule(rule))
    for alert in project.alerts.values():
        entry = alert_rule(project, alert)
        groups[alert.group].append(entry)
        for level_group, copy in escalation_copies(project, alert, entry):
            groups[level_group].append(copy)
    result = {}
    for name, rules in groups.items():
        group: dict[str, Any] = {"name": name}
        if name in intervals:
            group["interval"] = intervals[name]
        group["rules"] = rules
        result[name] = {"groups": [group]}
    return result


def release(project: Project) -> dict[str, str]:
    """out/prometheus/release.yml: the Prometheus release the build targets, where it was set and the setting that
    changes it, which apply's refusal of a server running another release names."""
    stack = project.stack
    if project.profile is not None and project.profile.prometheus_version:
        setting, set_in = "Profile.prometheus_version", "the build profile's prometheus_version"
    elif stack.location == UNKNOWN:
        setting, set_in = "Stack.prometheus_version", "the default of Stack.prometheus_version (no Stack defined)"
    else:
        setting, where = "Stack.prometheus_version", project.relative(stack.location)
        set_in = (f"{setting} in the Stack at {where}" if "prometheus_version" in stack.model_fields_set else
                  f"the default of {setting}, which the Stack at {where} does not set")
    return {"prometheus_version": stack.prometheus_version, "set_in": set_in, "setting": setting}


def render(project: Project) -> dict[str, Any]:
    """prometheus.yml, release.yml and the rule files."""
    files: dict[str, Any] = {conventions.PROMETHEUS_CONFIG: config(project),
                             f"prometheus/{PROMETHEUS_DECLARED_FILE}": release(project)}
    for name, document in sorted(rule_groups(project).items()):
        files[conventions.rule_file(name)] = document
    return files
