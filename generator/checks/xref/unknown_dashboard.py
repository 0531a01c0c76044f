"""Alerts link to a dashboard, and a panel of it, that exist.

An alert's `dashboard` names the dashboard its notification links to (`dashboard_url`, opening the panel that
plots its series, or the one its `panel` names); an unknown name would send on-call to a page that is not there.
A log alert counts: its LogQL is read by no panel query, so its `panel` says which one plots what it counts.

Fix: name a defined dashboard (`obsgen list`) and a panel title on it, or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, suggestion, unknown_names
from generator.core.errors import Level
from generator.model import Dashboard, LogAlert
from generator.model.alerts import AlertRule

CODE = "XR007"
NAME = "unknown-dashboard"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    boards = project.by_name(Dashboard)  # of two of one name (XR001), the first: the copy fails no other file's alerts
    alerts: list[AlertRule] = [*project.alerts.values(), *project.all(LogAlert)]
    uses = [(alert, ("dashboard",), alert.dashboard, f"alert {alert.name}: ") for alert in alerts if alert.dashboard]
    yield from unknown_names(context, Dashboard, "dashboard", boards, uses)
    for alert in alerts:
        if not alert.panel:
            continue
        board = boards.get(alert.dashboard)
        if not alert.dashboard:
            yield Finding(alert, f"alert {alert.name}: panel {alert.panel!r} names no dashboard: set dashboard= too",
                          ("panel",))
        elif board is not None and alert.panel not in (titles := [p.title for p in board.all_panels]):
            yield Finding(alert, f"alert {alert.name}: dashboard {board.name} has no panel {alert.panel!r}"
                                 f"{suggestion(alert.panel, titles)}", ("panel",))
