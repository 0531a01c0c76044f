"""Grafana: one dashboard JSON per dashboard under grafana/dashboards/<folder>/<uid>.json.

The JSON is Grafana's classic dashboard model at schemaVersion 42, the final version of the v1
dashboard API, which GRAFANA_VERSION loads as is (no migration on load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.made_once import made
from generator.core.verbatim import merge
from generator.derive.dashboards import ListedAlert, dashboards, heartbeat_names, listed_alerts, listed_sections
from generator.derive.layout import layout
from generator.derive.timeline_rows import timeline_rows
from generator.derive.variable_json import DATASOURCE, variable_json
from generator.model import (
    Dashboard,
    Link,
    conventions,
)
from generator.model.identity import slug
from generator.model.panels import Panel
from generator.model.project import Project
from generator.targets.grafana_panels import link_json, panel_json, row_json

GRAFANA_VERSION = "12.4.12"  # the image stacks/docker-compose.yml pins
"""The Grafana release the JSON and provisioning are written for; stacks/docker-compose.yml pins the same."""
SCHEMA_VERSION = 42
REFRESH_CHOICES = ("5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d")
BUILTIN_ANNOTATION = {
    "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard",
}


def path(dashboard: Dashboard) -> str:
    """Where a dashboard's JSON is written, relative to out/ (its folder is a directory)."""
    return conventions.dashboard_file(dashboard.folder, dashboard.uid)


def links_json(dashboard: Dashboard) -> list[dict[str, Any]]:
    """Header links; the plan's light/dark themes become links carrying ?theme= (auto is Grafana's default)."""
    themed = tuple(Link(title=f"{theme.capitalize()} theme",
                        url=f"/d/{dashboard.uid}/{slug(dashboard.display_title)}?theme={theme}")
                   for theme in dashboard.themes if theme != "auto")
    return [link_json(link) for link in (*dashboard.links, *themed)]


@dataclass(frozen=True)
class Reads:
    """Everything a dashboard's JSON reads of the project besides the dashboard itself, as values."""

    alerts: tuple[ListedAlert, ...]
    timeline_rows: tuple[int | None, ...]
    """The rows of each panel of all_panels, where it is a state timeline and they are known."""
    heartbeats: tuple[str, ...]


def reads(project: Project, dashboard: Dashboard) -> Reads:
    """What the dashboard's JSON reads of the project."""
    return Reads(listed_alerts(project, dashboard),
                 tuple(timeline_rows(project, dashboard, panel) for panel in dashboard.all_panels),
                 heartbeat_names(project))


def _annotations(alerts: tuple[ListedAlert, ...]) -> dict[str, Any]:
    annotations: list[dict[str, Any]] = [BUILTIN_ANNOTATION]
    if alerts:
        names = "|".join(a.name for a in alerts)
        annotations.append({
            "name": "Firing alerts", "datasource": DATASOURCE, "enable": True, "hide": False, "iconColor": "red",
            "expr": f'ALERTS{{alertstate="firing",alertname=~"{names}"}}', "step": "1m",
            "titleFormat": "{{alertname}}", "textFormat": "{{severity}}: {{instance}}",
            "tagKeys": "severity,alertname", "useValueForTime": False,
        })
    return {"list": annotations}


def _panels(dashboard: Dashboard, read: Reads) -> list[dict[str, Any]]:
    """Top-level panels in reading order; a collapsed row holds its own."""
    found = listed_sections(dashboard, read.alerts, read.heartbeats)
    collapsed = {id(p) for s in found if s.row is not None and s.row.collapsed for p in s.panels}
    rows = {id(panel): count for panel, count in zip(dashboard.all_panels, read.timeline_rows, strict=True)}
    documents: list[dict[str, Any]] = []
    nested: list[dict[str, Any]] = []
    for placed in layout([(s.row, s.panels) for s in found], lambda panel: rows.get(id(panel))):
        if isinstance(placed.item, Panel):
            target = nested if id(placed.item) in collapsed else documents
            target.append(panel_json(placed.item, placed.box))
        else:
            nested = []
            documents.append(row_json(placed.item, placed.box, nested))
    for document in documents:
        if document["type"] == "row" and not document["collapsed"]:
            document["panels"] = []
    return documents


def dashboard_settings(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard's own fields, before its variables, annotations, links and panels."""
    return {
        "uid": dashboard.uid,
        "title": dashboard.display_title,
        **({"description": dashboard.description} if dashboard.description else {}),  # an imported one may have none
        "tags": list(dashboard.tags),
        "timezone": "browser",
        "editable": False,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "time": {"from": f"now-{dashboard.time_range}", "to": "now"},
        "timepicker": {"refresh_intervals": list(REFRESH_CHOICES)},
        "refresh": dashboard.refresh or "",
        "schemaVersion": SCHEMA_VERSION,
    }


def dashboard_document(dashboard: Dashboard, read: Reads) -> dict[str, Any]:
    """The complete dashboard document Grafana loads, with the JSON it keeps verbatim written over it: a function of
    the dashboard and of what it reads of the project, nothing else (what a watching build keeps relies on it)."""
    return merge({
        **dashboard_settings(dashboard),
        "templating": {"list": [variable_json(v) for v in dashboard.variables]},
        "annotations": _annotations(read.alerts),
        "links": links_json(dashboard),
        "panels": _panels(dashboard, read),
    }, dashboard.extra)


def dashboard_json(project: Project, dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard's document (made again only when the dashboard or what it reads changed, in a watch)."""
    return made(dashboard_document, dashboard, reads(project, dashboard))


def render(project: Project) -> dict[str, Any]:
    """Every dashboard's JSON."""
    return {path(d): dashboard_json(project, d) for d in dashboards(project)}
