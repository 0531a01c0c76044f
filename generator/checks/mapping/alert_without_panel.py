"""An alert's dashboard has a panel plotting the series it reads.

The `dashboard_url` of a notification opens the panel whose queries read the alert's series; when the named
dashboard has none, it opens the dashboard's generated alert list instead, and on-call must look for the graph.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.promql import PromQLError, metric_names
from generator.derive.dashboards import alert_panel, dashboards

CODE = "MP010"
NAME = "alert-without-panel"
LEVEL = Level.WARNING


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
                                 "reads; its dashboard_url opens the dashboard's alert list", ("dashboard",))
