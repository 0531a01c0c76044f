"""Documentation: one page per dashboard (purpose, panels, queries, linked alerts), and an index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.made_once import made
from generator.derive.dashboards import (
    ListedAlert,
    alert_panel,
    dashboard_alerts,
    dashboards,
    heartbeat_names,
    listed_alerts,
    listed_sections,
)
from generator.model import Dashboard
from generator.model.identity import slug
from generator.model.project import Project
from generator.targets.docs import JINJA

DOCS_DIR = "docs/dashboards"


@dataclass(frozen=True)
class Reads:
    """Everything a dashboard's page reads of the project besides the dashboard itself, as values."""

    alerts: tuple[ListedAlert, ...]
    opens: tuple[str, ...]
    """For each alert, the dashboard and panel it opens ('-': none)."""
    grafana_url: str
    source: str
    heartbeats: tuple[str, ...]


def reads(project: Project, dashboard: Dashboard) -> Reads:
    """What the dashboard's page reads of the project."""
    opens = []
    for alert in dashboard_alerts(project, dashboard):
        target = alert_panel(project, alert)
        opens.append(f"{target[0].display_title} / {target[1].title}" if target else "-")
    return Reads(listed_alerts(project, dashboard), tuple(opens), project.stack.grafana_url.rstrip("/"),
                 project.relative(dashboard.location).file, heartbeat_names(project))


def page(dashboard: Dashboard, read: Reads) -> str:
    """The dashboard's page: a function of the dashboard and of what it reads of the project, nothing else."""
    return JINJA.get_template("dashboard.md.j2").render(
        dashboard=dashboard,
        url=f"{read.grafana_url}/d/{dashboard.uid}/{slug(dashboard.display_title)}",
        variables=dashboard.variables,
        sections=listed_sections(dashboard, read.alerts, read.heartbeats),
        alerts=list(zip(read.alerts, read.opens, strict=True)),
        source=read.source,
    )


def render(project: Project) -> dict[str, Any]:
    """out/docs/dashboards/<uid>.md for every dashboard, and a README index."""
    files: dict[str, Any] = {f"{DOCS_DIR}/{d.uid}.md": made(page, d, reads(project, d)) for d in dashboards(project)}
    index = ["# Dashboards", "", "| dashboard | folder | refresh | purpose |", "|---|---|---|---|"]
    index += [f"| [{d.display_title}]({d.uid}.md) | {d.folder} | {d.refresh or 'off'} | {d.description} |"
              for d in dashboards(project)]
    files[f"{DOCS_DIR}/README.md"] = "\n".join(index) + "\n"
    return files
