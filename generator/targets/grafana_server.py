"""Grafana server settings: out/grafana/grafana.ini from the project's GrafanaServer definition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from generator.errors import DefinitionError
from generator.model import GrafanaServer
from generator.project import Project

PATH = "grafana/grafana.ini"

_JINJA = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False,
)


def render(project: Project) -> dict[str, Any]:
    """grafana.ini when the definitions declare a GrafanaServer; nothing otherwise."""
    servers = project.all(GrafanaServer)
    if not servers:
        return {}
    if len(servers) > 1:
        raise DefinitionError(servers[1].location, f"GrafanaServer is already defined at {servers[0].location}; "
                                                   "declare one Grafana server")
    server = servers[0]
    # the refresh floor Grafana enforces is the plan's real-time update interval, the fastest refresh asked for
    text = _JINJA.get_template("grafana.ini.j2").render(
        server=server, root_url=project.stack.grafana_url, min_refresh_interval=server.real_time_update_interval)
    return {PATH: text.rstrip("\n") + "\n"}
