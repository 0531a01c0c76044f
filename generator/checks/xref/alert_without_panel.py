"""An alert names a dashboard with no panel plotting the series it reads.

The `dashboard_url` of a notification opens the panel whose parsed queries read the alert's series most closely
(the same metric with at least the alert's label matchers, else the series its recording rules read). A dashboard
with no such panel leaves on-call, woken at night, to look for the graph themselves.

Fix: add a panel reading the alert's series to that dashboard, or name the dashboard that has one.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import PromQLError, metric_names
from generator.derive.dashboards import alert_panel, dashboards

CODE = "XR021"
NAME = "alert-without-panel"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    names = {dashboard.name for dashboard in dashboards(project)}
    for alert in project.alerts.values():
        if not alert.dashboard or alert.dashboard not in names:
            continue
        try:
            reads = metric_names(alert.condition)
        except PromQLError:
            continue
        if reads and alert_panel(project, alert, with_alert_list=False) is None:
            yield Finding(alert, f"alert {alert.name}: no panel on dashboard {alert.dashboard} plots the series it "
                                 "reads: its dashboard_url would open no graph of it", ("dashboard",))
