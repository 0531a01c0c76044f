"""Routing expectations, derived from the model (not from the routes), checked with amtool."""

from __future__ import annotations

from typing import Any

from generator.derive.escalation import ESCALATED_NAME_LABEL, LEVEL_LABEL, POLICY_LABEL, escalation_rules
from generator.model.identity import receiver_name
from generator.model.project import Project

ROUTE_TESTS = "alertmanager/tests/routes.yml"


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
        channels = project.alert_channels(alert)
        labels = {"alertname": alert.name, "severity": alert.severity}
        if alert.escalation:
            labels[POLICY_LABEL] = alert.escalation
        cases.append({"name": f"{alert.name} reaches {', '.join(channels) or 'nobody'}", "labels": labels,
                      "receiver": receiver_name(channels)})
    for policy in project.escalation_policies.values():
        for level in escalation_rules(policy):
            cases.append({
                "name": f"escalation {policy.name} level {level.level} reaches {', '.join(level.channels)}",
                "labels": {"alertname": level.alertname, ESCALATED_NAME_LABEL: "AnyAlert", "severity": "critical",
                           POLICY_LABEL: policy.name, LEVEL_LABEL: str(level.level)},
                "receiver": receiver_name(level.channels),
            })
    return cases


def render(project: Project) -> dict[str, Any]:
    """The expectations file that `obsgen check` feeds to `amtool config routes test`."""
    return {ROUTE_TESTS: {"tests": expectations(project)}}
