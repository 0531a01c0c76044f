"""Annotations every alert carries, whichever server evaluates it (Prometheus or Loki's ruler)."""

from __future__ import annotations

from generator.model import conventions
from generator.model.project import Project


def alert_annotations(project: Project, name: str, summary: str, description: str,
                      dashboard_url: str = "", plan_name: str = "") -> dict[str, str]:
    """summary, description, runbook_url, and dashboard_url / plan_name when known."""
    annotations = {
        "summary": summary,
        "description": description,
        "runbook_url": runbook_url(project, name),
    }
    if dashboard_url:
        annotations["dashboard_url"] = dashboard_url
    if plan_name:
        annotations["plan_name"] = plan_name
    return annotations


def runbook_url(project: Project, alert_name: str) -> str:
    """Where the generated runbook page of an alert is published."""
    return conventions.runbook_url(project.stack.docs_url, alert_name)
