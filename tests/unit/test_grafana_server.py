"""out/grafana/grafana.ini: what the plan's real-time dashboards need from the Grafana server."""

from __future__ import annotations

import configparser
import dataclasses

from generator.model import GrafanaServer
from generator.model.project import Project
from generator.targets import grafana_server


def _ini(project: Project, **settings: object) -> configparser.ConfigParser:
    if settings:
        objects = tuple(GrafanaServer(**settings) if isinstance(o, GrafanaServer) else o for o in project.objects)
        project = dataclasses.replace(project, objects=objects)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(grafana_server.render(project)[grafana_server.PATH])
    return parser


def test_the_shipped_settings_allow_5s_dashboards_over_grafana_live(project: Project) -> None:
    ini = _ini(project)
    assert ini["dashboards"]["min_refresh_interval"] == "5s"
    assert ini["live"]["max_connections"] == "100"
    assert ini["auth.anonymous"]["enabled"] == "false" and "org_role" not in ini["auth.anonymous"]
    assert ini["paths"]["provisioning"] == "/etc/grafana/provisioning"
    assert ini["server"]["root_url"] == project.stack.grafana_url


def test_live_off_is_zero_connections_and_anonymous_viewers_are_read_only(project: Project) -> None:
    ini = _ini(project, live=False, anonymous_viewers=True, real_time_update_interval=10)
    assert ini["live"]["max_connections"] == "0"
    assert dict(ini["auth.anonymous"]) == {"enabled": "true", "org_role": "Viewer"}
    assert ini["dashboards"]["min_refresh_interval"] == "5s"  # the development dashboard refreshes every 5 s


def test_no_grafana_server_declared_writes_no_grafana_ini(project: Project) -> None:
    bare = dataclasses.replace(project, objects=tuple(o for o in project.objects if not isinstance(o, GrafanaServer)))
    assert grafana_server.render(bare) == {}
