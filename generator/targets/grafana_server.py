"""Grafana server settings: out/grafana/grafana.ini from the project's GrafanaServer definition."""

from __future__ import annotations

from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.core.errors import DefinitionError
from generator.derive.dashboards import dashboards
from generator.model import GrafanaServer
from generator.model.project import Project
from generator.targets.templating import environment

PATH = "grafana/grafana.ini"

_JINJA = environment()


def render(project: Project) -> dict[str, Any]:
    """grafana.ini when the definitions declare a GrafanaServer; nothing otherwise."""
    servers = project.all(GrafanaServer)
    if not servers:
        return {}
    if len(servers) > 1:
        raise DefinitionError(servers[1].location, f"GrafanaServer is already defined at {servers[0].location}; "
                                                   "declare one Grafana server")
    server = servers[0]
    # Grafana raises any faster refresh to this floor: it must allow the fastest dashboard and the plan's interval
    refreshes = [parse_seconds(d.refresh) for d in dashboards(project) if d.refresh]
    floor = format_seconds(min([parse_seconds(server.real_time_update_interval), *refreshes]))
    text = _JINJA.get_template("grafana.ini.j2").render(
        server=server, root_url=project.stack.grafana_url, min_refresh_interval=floor)
    return {PATH: text.rstrip("\n") + "\n"}
