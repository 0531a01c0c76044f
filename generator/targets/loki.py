"""Grafana Loki 3.7: out/loki/loki.yaml, ruler rules in out/loki/rules/fake/, log-alert runbooks.

Single-binary Loki on local disk: tsdb index with schema v13 and a 24h index period, the compactor
applying the default retention and each stream's own, OTLP resource attributes of the declared stream
labels indexed, and the ruler sending LogQL alerts to the same Alertmanager (they carry `severity`,
so the severity routes apply, and the stack's external labels, which the routes group by) and
remote-writing LogQL recording rules to Prometheus. With auth disabled Loki's tenant is `fake`, hence
the rules directory.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.core.duration import go_duration, parse_seconds
from generator.core.logql import result_labels
from generator.derive.annotations import alert_annotations
from generator.derive.dashboards import dashboard_url, panel_url
from generator.derive.escalation import (
    copy_annotations,
    escalation_labels,
    level_hold,
    notified_levels,
    told_channels,
    told_escalation,
)
from generator.derive.for_state import log_for_state
from generator.derive.notification_grouping import ack_alertmanager, grouping
from generator.derive.notification_grouping import ack_matchers as ack_matchers_of
from generator.model import conventions
from generator.model.logs import LogAlert, LogRecordingRule, LogStorage, LogStream
from generator.model.project import Project
from generator.targets.templating import environment

CONFIG = "loki/loki.yaml"
RULES_DIR = "loki/rules/fake"
RULES_MOUNT = "/etc/loki/rules"
DATA = "/loki"
LOKI_DATASOURCE_UID = "loki"
"""The Loki data source's uid in Grafana's provisioning (grafana_provisioning gives each its type as uid)."""
SCHEMA_FROM = "2024-04-01"  # start of the v13 period; fixed so rebuilds are byte-identical
_JINJA = environment()


def _hours(duration: str) -> str:
    return go_duration(parse_seconds(duration))


def _inmemory_ring() -> dict[str, Any]:
    return {"kvstore": {"store": "inmemory"}}


def retention_streams(streams: list[LogStream]) -> list[dict[str, Any]]:
    """Per-stream retention; more labels make a selector more specific, so it gets the higher priority."""
    return [
        {"selector": s.selector, "priority": len(s.index_labels), "period": _hours(s.retention)}
        for s in streams if s.retention is not None
    ]


def config(project: Project, storage: LogStorage) -> dict[str, Any]:
    """loki.yaml."""
    streams = project.all(LogStream)
    limits: dict[str, Any] = {
        "retention_period": _hours(storage.retention),
        "retention_stream": retention_streams(streams),
        "allow_structured_metadata": True,
        "volume_enabled": True,
    }
    extra_labels = sorted({label for s in streams for label in s.labels})
    if extra_labels:
        limits["otlp_config"] = {"resource_attributes": {"attributes_config": [
            {"action": "index_label", "attributes": extra_labels}]}}
    return {
        "auth_enabled": False,
        "server": {"http_listen_port": 3100, "grpc_listen_port": 9096, "log_level": "info"},
        "common": {
            "path_prefix": DATA, "instance_addr": "127.0.0.1", "replication_factor": 1,
            "storage": {"filesystem": {"chunks_directory": f"{DATA}/chunks"}}, "ring": _inmemory_ring(),
        },
        "schema_config": {"configs": [{
            "from": SCHEMA_FROM, "store": "tsdb", "object_store": "filesystem", "schema": "v13",
            "index": {"prefix": "index_", "period": "24h"},
        }]},
        "compactor": {
            "working_directory": f"{DATA}/compactor", "compaction_interval": "10m", "retention_enabled": True,
            "retention_delete_delay": "2h", "delete_request_store": "filesystem",
        },
        "limits_config": limits,
        "ruler": {
            "alertmanager_url": storage.alertmanager_url,
            # each alert's source link: the ruler makes it <external_url>/explore?left=<its LogQL on this data source>,
            # the log lines in Grafana's Explore (without it the link is a bare relative path)
            "external_url": project.stack.grafana_url.rstrip("/"),
            "datasource_uid": LOKI_DATASOURCE_UID,
            # the stack's labels on every alert the ruler sends where the alert lacks them, as Prometheus adds its
            # own: the routes group by them and the ack command names them (pkg/ruler/base/manager.go passes them
            # to Prometheus' notifier as global external_labels; templates read them as $externalLabels)
            "external_labels": dict(sorted(project.stack.external_labels.items())),
            "enable_api": True,
            "evaluation_interval": _hours(storage.evaluation_interval),
            "rule_path": f"{DATA}/rules-temp",
            "storage": {"type": "local", "local": {"directory": RULES_MOUNT}},
            "ring": _inmemory_ring(),
            **log_for_state(project).ruler_fields(),
            "wal": {"dir": f"{DATA}/ruler-wal"},
            "remote_write": {"enabled": True, "clients": {"prometheus": {"url": storage.prometheus_write_url}}},
        },
        "analytics": {"reporting_enabled": False},
    }


def alert_rule(project: Project, alert: LogAlert) -> dict[str, Any]:
    """The ruler entry of one log alert, labelled and annotated like the Prometheus alerts."""
    dashboard = dashboard_url(project, alert) if alert.dashboard else ""
    annotations = alert_annotations(project, alert.name, alert.summary, alert.description, dashboard)
    rule: dict[str, Any] = {"alert": alert.name, "expr": alert.expr}
    if alert.for_ != "0s":
        rule["for"] = alert.for_
    labels = {conventions.SEVERITY_LABEL: alert.severity, **alert.labels, **escalation_labels(project, alert)}
    rule["labels"] = dict(sorted(labels.items()))
    rule["annotations"] = annotations
    return rule


def escalation_copies(project: Project, alert: LogAlert, rule: dict[str, Any]) -> list[dict[str, Any]]:
    """The alert's escalation levels, in its own group. Loki's ruler cannot read the ALERTS series that the
    Prometheus alerts' level copies watch, so each level is the alert's own LogQL held for the alert's `for` plus
    the level's delay: the same name and labels (a silence of the alert silences its levels), plus the level."""
    return [{
        "alert": alert.name, "expr": alert.expr,
        "for": level_hold(alert, level),
        "labels": dict(sorted({**rule["labels"], **level.labels}.items())),
        "annotations": copy_annotations(level, rule["annotations"]),
    } for level in told_escalation(project, alert)]


def rule_files(project: Project) -> dict[str, dict[str, Any]]:
    """Rule files by group name."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in project.all(LogRecordingRule):
        entry: dict[str, Any] = {"record": record.name, "expr": record.expr}
        if record.labels:
            entry["labels"] = dict(sorted(record.labels.items()))
        groups[record.group].append(entry)
    for alert in project.all(LogAlert):
        rule = alert_rule(project, alert)
        groups[alert.group] += [rule, *escalation_copies(project, alert, rule)]
    return {name: {"groups": [{"name": name, "rules": rules}]} for name, rules in sorted(groups.items())}


def ack_matchers(project: Project, alert: LogAlert) -> list[str]:
    """What the log alert's `obsgen ack` command names besides its name, as a Prometheus alert's does: its LogQL
    result's labels read from the expression's aggregation (none where its shape does not tell them: the command
    then silences the alert of every value of such a label)."""
    return ack_matchers_of(project, alert.labels, grouping(project), result_labels(alert.expr) or ())


def runbooks(project: Project) -> dict[str, str]:
    """One runbook page per log alert, where their runbook_url points."""
    template = _JINJA.get_template("log_runbook.md.j2")
    pages = {}
    for alert in project.all(LogAlert):
        pages[conventions.runbook_page(alert.name)] = template.render(
            alert=alert, rule=alert_rule(project, alert), source=project.relative(alert.location).file,
            channels=told_channels(project, alert), policy=project.escalation_of(alert),
            levels=notified_levels(project, alert), evaluator="Loki's ruler",
            ack=" ".join(ack_matchers(project, alert)), alertmanager=ack_alertmanager(project),
            dashboard=panel_url(project, alert) if alert.dashboard else "",
        )
    return pages


def render(project: Project) -> dict[str, Any]:
    """loki.yaml, the ruler's rule files and the log alerts' runbooks, when Loki storage is declared."""
    stores = project.all(LogStorage)
    if not stores:
        return {}
    document = config(project, stores[0])
    files: dict[str, Any] = {CONFIG: document}
    for name, rules in rule_files(project).items():
        files[f"{RULES_DIR}/{name}.yaml"] = rules
    return files | runbooks(project)
