"""Panel and row titles do not take the ids of the generated alert list.

A dashboard that alerts link to gets a generated "Alerts" row listing them; panel ids derive from titles, so a
panel or row titled like the generated ones would share their id and one would hide the other.

Fix: retitle the panel or row.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.dashboards import GENERATED_TITLES, dashboard_alerts, dashboards
from generator.model.identity import panel_id

CODE = "XR014"
NAME = "reserved-title"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    reserved = {panel_id(title): title for title in GENERATED_TITLES}
    for dashboard in dashboards(context.project):
        if not dashboard_alerts(context.project, dashboard):
            continue
        for title in [p.title for p in dashboard.all_panels] + [r.title for r in dashboard.rows]:
            if panel_id(title) in reserved:
                yield Finding(dashboard, f"dashboard {dashboard.name}: title {title!r} is taken by the generated "
                                         f"alert list ({reserved[panel_id(title)]!r})")
