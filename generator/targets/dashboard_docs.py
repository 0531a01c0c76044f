"""Documentation: one page per dashboard (purpose, panels, queries, linked alerts), and an index."""

from __future__ import annotations

from typing import Any

from generator.derive.dashboards import alert_panel, dashboard_alerts, dashboards, sections
from generator.model.identity import slug
from generator.model.project import Project
from generator.targets.docs import JINJA

DOCS_DIR = "docs/dashboards"


def render(project: Project) -> dict[str, Any]:
    """out/docs/dashboards/<uid>.md for every dashboard, and a README index."""
    template = JINJA.get_template("dashboard.md.j2")
    files: dict[str, Any] = {}
    base = project.stack.grafana_url.rstrip("/")
    for dashboard in dashboards(project):
        alerts = []
        for alert in dashboard_alerts(project, dashboard):
            target = alert_panel(project, alert)
            alerts.append((alert, f"{target[0].display_title} / {target[1].title}" if target else "-"))
        files[f"{DOCS_DIR}/{dashboard.uid}.md"] = template.render(
            dashboard=dashboard,
            url=f"{base}/d/{dashboard.uid}/{slug(dashboard.display_title)}",
            variables=dashboard.variables,
            sections=sections(project, dashboard),
            alerts=alerts,
            source=project.relative(dashboard.location).file,
        )
    index = ["# Dashboards", "", "| dashboard | folder | refresh | purpose |", "|---|---|---|---|"]
    index += [f"| [{d.display_title}]({d.uid}.md) | {d.folder} | {d.refresh or 'off'} | {d.description} |"
              for d in dashboards(project)]
    files[f"{DOCS_DIR}/README.md"] = "\n".join(index) + "\n"
    return files
