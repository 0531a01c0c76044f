"""Alerts link to a dashboard that exists.

An alert's `dashboard` names the dashboard its notification links to (`dashboard_url`, opening the panel that
plots its series); an unknown name would send on-call to a page that is not there.

Fix: name a defined dashboard (`obsgen list`), or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, unknown_names
from generator.core.errors import Level
from generator.derive.dashboards import dashboards
from generator.model import Dashboard

CODE = "XR007"
NAME = "unknown-dashboard"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    names = [dashboard.name for dashboard in dashboards(context.project)]
    uses = [(alert, ("dashboard",), alert.dashboard, f"alert {alert.name}: ")
            for alert in context.project.alerts.values() if alert.dashboard]
    return unknown_names(context, Dashboard, "dashboard", names, uses)
