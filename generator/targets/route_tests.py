"""Routing expectations, derived from the model (not from the routes), checked with amtool."""

from __future__ import annotations

from typing import Any

from generator.derive.escalation import climb, notified_levels, pages, told_channels
from generator.derive.examples import sent_labels
from generator.model import Alert
from generator.model.conventions import (
    ESCALATION_LEVEL_LABEL,
    ESCALATION_POLICY_LABEL,
    JOB_LABEL,
    pages_by_job,
)
from generator.model.identity import receiver_name
from generator.model.project import Project

ROUTE_TESTS = "alertmanager/tests/routes.yml"
GENERIC_SEVERITY = "critical"
"""The severity of the cases that route an alert of no definition ("AnyAlert") up each escalation policy."""


def expectations(project: Project) -> list[dict[str, Any]]:
    """Label sets and the receiver each must reach."""
    cases: list[dict[str, Any]] = []
    for severity in project.alerting.severities:
        cases.append({
            "name": f"severity {severity.name} reaches its channels",
            "labels": {"alertname": "AnyAlert", "severity": severity.name},
            "receiver": receiver_name(severity.channels),
        })
    for alert in project.alerts.values():
        channels = told_channels(project, alert)
        labels = {"alertname": alert.name, **sent_labels(project, alert)}
        heartbeat = f" (its own route, every {alert.heartbeat})" if alert.heartbeat is not None else ""
        receiver = receiver_name(channels)
        severity = project.severity_of(alert)
        if channels != severity.channels and alert.heartbeat is None and pages_by_job(alert.labels):
            # its own channels first, then its severity's, where it joins its job's other pages
            receiver = f"{receiver_name(project.own_channels(alert))},{receiver_name(severity.channels)}"
        cases.append({"name": f"{alert.name} reaches {', '.join(channels) or 'nobody'}{heartbeat}", "labels": labels,
                      "receiver": receiver})
        if alert.heartbeat is not None:
            cases += _another_stacks_heartbeat(alert, labels, project.stack.external_labels)
    generic = project.alerting.severity(GENERIC_SEVERITY)
    generic_pages = generic is not None and pages(project, generic.channels)
    for policy in project.escalation_policies.values():
        for level in climb(project, policy, generic_pages):
            cases.append({
                "name": f"escalation {policy.name} level {level.level} reaches {', '.join(level.channels)}",
                "labels": {"alertname": "AnyAlert", "severity": GENERIC_SEVERITY, ESCALATION_POLICY_LABEL: policy.name,
                           ESCALATION_LEVEL_LABEL: str(level.level)},
                "receiver": receiver_name(level.channels),
            })
    return cases + _paged_once(project)


def _another_stacks_heartbeat(alert: Alert, labels: dict[str, str], stack: dict[str, str]) -> list[dict[str, Any]]:
    """A dead man's switch of another stack sharing the Alertmanager (its external labels other values) reaches
    nobody: its pings would hide this stack's silence, and this config has no heartbeat URL for it. None without
    external labels (or with only templated ones), where nothing tells the stacks apart."""
    other = {name: f"other-than-{labels[name]}" for name in stack if "{{" not in labels[name]}
    if not other:
        return []
    shown = ", ".join(f"{name}={value}" for name, value in other.items())
    return [{"name": f"{alert.name} of another stack ({shown}) reaches nobody", "labels": {**labels, **other},
             "receiver": receiver_name(())}]


def _paged_once(project: Project) -> list[dict[str, Any]]:
    """An alert whose own channels page PagerDuty, or that a lower level paged, reaches a level's other channels
    only: PagerDuty would open a second incident (its dedup_key differs per route). An SLIAbsent page grouped by
    its job reaches each level's channels through the child route that groups it (which inherits its receiver)."""
    cases: list[dict[str, Any]] = []
    for alert in project.alerts.values():
        policy = project.escalation_of(alert)
        if policy is None or alert.heartbeat is not None:
            continue
        for level in notified_levels(project, alert):
            grouped = pages_by_job(alert.labels)
            if level.not_repaged or grouped:
                why = (", its PagerDuty incident already open" if level.not_repaged else
                       f", in its job's one notification (job={alert.labels.get(JOB_LABEL)})")
                cases.append({
                    "name": f"{alert.name} at escalation {policy.name} level {level.level} reaches "
                            f"{', '.join(level.channels) or 'nobody'}{why}",
                    "labels": {"alertname": alert.name, **sent_labels(project, alert),
                               ESCALATION_LEVEL_LABEL: str(level.level)},
                    "receiver": receiver_name(level.channels),
                })
    return cases


def render(project: Project) -> dict[str, Any]:
    """The expectations file that `obsgen check` feeds to `amtool config routes test`."""
    return {ROUTE_TESTS: {"tests": expectations(project)}}
