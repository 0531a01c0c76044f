"""Grafana panel JSON (schemaVersion 42) for each kind of model panel."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from generator.core.verbatim import merge
from generator.derive.layout import Box
from generator.derive.variable_json import DATASOURCE
from generator.model.identity import panel_id
from generator.model.panels import ExploreLink, Legend, Panel, PanelKind, PanelLink, Query, Row

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ref_id(index: int) -> str:
    """The refId Grafana gives a panel's query at index: A..Z, then AA, AB, ... (getNextRefId's getRefId)."""
    return LETTERS[index] if index < len(LETTERS) else ref_id(index // len(LETTERS) - 1) + LETTERS[index % len(LETTERS)]


def explore_url(link: ExploreLink, time_range: str = "now-1h") -> str:
    """A Grafana Explore URL running the link's LogQL or TraceQL on the provisioned Loki or Tempo."""
    query: dict[str, Any] = {"refId": "A", "datasource": {"type": link.datasource, "uid": link.datasource}}
    if link.datasource == "tempo":
        query |= {"queryType": "traceql", "query": link.query}
    else:
        query["expr"] = link.query
    panes = {"obsgen": {"datasource": link.datasource, "queries": [query], "range": {"from": time_range, "to": "now"}}}
    encoded = quote(json.dumps(panes, separators=(",", ":")), safe="$")  # $var stays for Grafana to fill in
    return f"/explore?schemaVersion=1&orgId=1&panes={encoded}"


def _target(link: PanelLink) -> tuple[str, bool]:
    """Where a link goes, and whether in a new tab (Explore always is)."""
    return (explore_url(link), True) if isinstance(link, ExploreLink) else (link.url, link.new_tab)


def link_json(link: PanelLink) -> dict[str, Any]:
    """A dashboard's header link in Grafana's DashboardLink shape, keeping time range and variables."""
    url, new_tab = _target(link)
    return {"title": link.title, "type": "link", "url": url, "targetBlank": new_tab, "icon": "external link",
            "tooltip": "", "tags": [], "asDropdown": False, "includeVars": True, "keepTime": True}


def data_link_json(link: PanelLink) -> dict[str, Any]:
    """A panel's link as Grafana reads it, a DataLink: title, url and targetBlank are all linkSrv.getDataLinkUIModel
    reads (a DashboardLink's keepTime, includeVars, icon... mean nothing on a panel)."""
    url, new_tab = _target(link)
    return {"title": link.title, "url": url, "targetBlank": new_tab}


def target_json(query: Query, index: int) -> dict[str, Any]:
    """One query as a Grafana target, with the JSON it keeps verbatim written over it."""
    target: dict[str, Any] = {
        "refId": ref_id(index), "datasource": DATASOURCE, "expr": query.promql, "editorMode": "code",
        "legendFormat": query.legend or "__auto", "range": not query.instant, "instant": query.instant,
        "format": "heatmap" if query.format == "heatmap" else query.format,
    }
    if query.asks_exemplars:
        target["exemplar"] = True
    return merge(target, query.extra)


def _legend(legend: Legend) -> dict[str, Any]:
    return {"showLegend": legend.show, "displayMode": legend.mode, "placement": legend.placement,
            "calcs": list(legend.calcs)}


TOOLTIP = {"mode": "multi", "sort": "desc"}
REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}


def _timeseries(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never", "spanNulls": False,
              "axisPlacement": "auto", "stacking": {"mode": "normal" if panel.stacked else "none", "group": "A"},
              "thresholdsStyle": {"mode": "line" if panel.thresholds else "off"}}
    return {"legend": _legend(panel.legend), "tooltip": TOOLTIP}, custom


def _barchart(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"orientation": "horizontal", "showValue": "auto", "stacking": "normal" if panel.stacked else "none",
               "barWidth": 0.8, "groupWidth": 0.7, "xTickLabelRotation": 0, "xTickLabelMaxLength": 0,
               "fullHighlight": False, "legend": _legend(panel.legend), "tooltip": {"mode": "single", "sort": "none"}}
    return options, {"fillOpacity": 80, "lineWidth": 1, "gradientMode": "none"}


def _stat(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"reduceOptions": REDUCE, "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
            "textMode": "auto", "orientation": "auto", "wideLayout": True, "showPercentChange": False}, {}


def _gauge(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"reduceOptions": REDUCE, "showThresholdLabels": False, "showThresholdMarkers": True,
            "orientation": "auto", "sizing": "auto", "minVizWidth": 75, "minVizHeight": 75}, {}


def _heatmap(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {
        "calculate": False, "cellGap": 1, "yAxis": {"axisPlacement": "left", "unit": panel.unit},
        "rowsFrame": {"layout": "auto"}, "showValue": "never",
        "color": {"mode": "scheme", "scheme": "Oranges", "fill": "dark", "scale": "exponential", "exponent": 0.5,
                  "steps": 64, "reverse": False},
        "filterValues": {"le": 1e-9}, "legend": {"show": panel.legend.show},
        "tooltip": {"mode": "single", "yHistogram": False, "showColorScale": False},
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
    }
    return options, {"hideFrom": {"legend": False, "tooltip": False, "viz": False}}


def _table(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"showHeader": True, "cellHeight": "sm", "frameIndex": 0}, {"align": "auto", "filterable": False}


def _state_timeline(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"mergeValues": True, "showValue": "auto", "alignValue": "center", "rowHeight": 0.9,
               "legend": _legend(panel.legend), "tooltip": {"mode": "single", "sort": "none"}}
    return options, {"lineWidth": 0, "fillOpacity": 80}


def _text(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"mode": "markdown", "content": panel.content}, {}


def _bar_gauge(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"reduceOptions": REDUCE, "orientation": "horizontal", "displayMode": "gradient", "valueMode": "color",
            "namePlacement": "auto", "showUnfilled": True, "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16,
            "maxVizHeight": 300}, {}


def _pie_chart(panel: Panel) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"reduceOptions": REDUCE, "pieType": "pie", "displayLabels": [],
               "legend": {**_legend(panel.legend), "values": []}, "tooltip": {"mode": "single", "sort": "none"}}
    return options, {"hideFrom": {"legend": False, "tooltip": False, "viz": False}}


OPTIONS: dict[PanelKind, Callable[[Panel], tuple[dict[str, Any], dict[str, Any]]]] = {
    PanelKind.TIMESERIES: _timeseries, PanelKind.BARCHART: _barchart, PanelKind.STAT: _stat,
    PanelKind.GAUGE: _gauge, PanelKind.HEATMAP: _heatmap, PanelKind.TABLE: _table,
    PanelKind.STATE_TIMELINE: _state_timeline, PanelKind.TEXT: _text, PanelKind.BAR_GAUGE: _bar_gauge,
    PanelKind.PIE_CHART: _pie_chart,
}
THRESHOLD_COLOURED = {PanelKind.STAT, PanelKind.GAUGE, PanelKind.STATE_TIMELINE, PanelKind.BAR_GAUGE}


def _field_defaults(panel: Panel, custom: dict[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    if panel.unit:
        defaults["unit"] = panel.unit
    for key, value in (("decimals", panel.decimals), ("min", panel.min), ("max", panel.max)):
        if value is not None:
            defaults[key] = value
    steps = [{"color": s.color, "value": s.value} for s in panel.thresholds] or [{"color": "green", "value": None}]
    defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mode = "thresholds" if panel.kind in THRESHOLD_COLOURED else "palette-classic"
    defaults["color"] = {"mode": mode}
    if panel.value_texts:
        defaults["mappings"] = [{"type": "value", "options": {
            v.value: {"text": v.text, "index": i, **({"color": v.color} if v.color else {})}
            for i, v in enumerate(panel.value_texts)}}]
    if custom:
        soft = (("axisSoftMin", panel.soft_min), ("axisSoftMax", panel.soft_max))
        defaults["custom"] = {**custom, **{key: value for key, value in soft if value is not None}}
    return defaults


def _grid(box: Box) -> dict[str, int]:
    return {"h": box.h, "w": box.w, "x": box.x, "y": box.y}


def panel_json(panel: Panel, box: Box) -> dict[str, Any]:
    """One panel, placed, with the JSON it keeps verbatim written over it."""
    modelled = "type" not in panel.extra  # else a visualisation obsgen does not model: its options are all verbatim
    options, custom = OPTIONS[panel.kind](panel) if modelled else ({}, {})
    document: dict[str, Any] = {"type": panel.kind.value, "id": panel_id(panel.title), "title": panel.title,
                                "description": panel.description, "gridPos": _grid(box)}
    if panel.queries:
        document["datasource"] = DATASOURCE
        document["targets"] = [target_json(q, i) for i, q in enumerate(panel.queries)]
    defaults = _field_defaults(panel, custom) if panel.queries and modelled else {}
    document["fieldConfig"] = {"defaults": defaults, "overrides": []}
    document["options"] = options
    if panel.links:
        document["links"] = [data_link_json(link) for link in panel.links]
    if panel.time_range:
        document["timeFrom"] = TODAY if panel.time_range == "today" else panel.time_range
    return merge(document, panel.extra)


TODAY = "now/d"
"""Grafana's relative time for "today so far"."""


def row_json(row: Row, box: Box, nested: list[dict[str, Any]]) -> dict[str, Any]:
    """A row header; a collapsed one carries its panels."""
    document = {"type": "row", "id": panel_id(row.title), "title": row.title, "gridPos": _grid(box),
                "collapsed": row.collapsed, "panels": nested}
    return merge(document, row.extra)
