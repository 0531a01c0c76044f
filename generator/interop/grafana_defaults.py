"""What Grafana holds for a field a dashboard leaves out: the values it fills in when it loads the JSON.

An imported dashboard must mean what Grafana makes of the original. The importer compares the original,
with these defaults filled in, to what obsgen generates; wherever obsgen would write something else (its
own choices for new dashboards: shared crosshair, "__auto" legends, allValue ".*", fill opacity 10...), the
original's value goes into the object's `extra`. Sources, in Grafana's repository:
- dashboard: public/app/features/dashboard/state/DashboardModel.ts (constructor: timezone '', graphTooltip 0,
  editable true, fiscalYearStartMonth 0, liveNow false, time now-6h..now) and the backend's
  apps/dashboard/pkg/migration/schemaversion/v40.go (refresh absent -> '');
- variables: public/app/features/variables/<kind>/reducer.ts initial<Kind>VariableModelState;
- field config: the standard options registry (public/app/core/components/OptionsUI/registry.tsx: thresholds
  green from -Infinity, red from 80; mappings none) and each plugin's defaults: panelcfg.cue/types.gen.ts
  defaultOptions, timeseries' defaultGraphConfig (public/app/plugins/panel/timeseries/config.ts);
- Prometheus targets: packages/grafana-prometheus/src/types.ts (legendFormat, format, instant, exemplar);
- dashboard links: the dashboard schema's DashboardLink (kinds/dashboard/dashboard_kind.cue: keepTime,
  includeVars, targetBlank, asDropdown false; tags []). Panel links are DataLinks, which ignore keepTime and
  includeVars (linkSrv.getDataLinkUIModel; schema 19 moved them into the URL).
"""

from __future__ import annotations

from typing import Any

from generator.core.verbatim import merge

DASHBOARD: dict[str, Any] = {
    "timezone": "", "graphTooltip": 0, "editable": True, "fiscalYearStartMonth": 0, "liveNow": False, "refresh": "",
    "time": {"from": "now-6h", "to": "now"}, "tags": [], "links": [],
}
LINK: dict[str, Any] = {"type": "link", "keepTime": False, "includeVars": False, "targetBlank": False,
                        "asDropdown": False, "tags": [], "icon": "external link", "tooltip": ""}
TARGET: dict[str, Any] = {"legendFormat": "", "format": "time_series", "instant": False, "exemplar": False}
VARIABLES: dict[str, dict[str, Any]] = {
    "query": {"refresh": 1, "sort": 0, "regex": "", "multi": False, "includeAll": False, "allValue": None, "hide": 0,
              "skipUrlSync": False},
    "custom": {"multi": False, "includeAll": False, "allValue": None, "hide": 0, "skipUrlSync": False},
    "interval": {"refresh": 2, "auto": False, "auto_count": 30, "auto_min": "10s", "hide": 0, "skipUrlSync": False},
    "datasource": {"refresh": 1, "regex": "", "multi": False, "includeAll": False, "hide": 0, "skipUrlSync": False},
}
THRESHOLDS = {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 80}]}
LEGEND = {"showLegend": True, "displayMode": "list", "placement": "bottom", "calcs": []}
TOOLTIP = {"mode": "single", "sort": "none"}
REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}
GRAPH_FIELD = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 0, "showPoints": "auto", "spanNulls": False,
               "axisPlacement": "auto", "stacking": {"mode": "none", "group": "A"}, "thresholdsStyle": {"mode": "off"},
               "lineInterpolation": "linear", "gradientMode": "none", "pointSize": 5}


def _plugin(colour: str, options: dict[str, Any], custom: dict[str, Any] | None = None) -> dict[str, Any]:
    defaults: dict[str, Any] = {"thresholds": THRESHOLDS, "color": {"mode": colour}}
    return {"fieldConfig": {"defaults": defaults | ({"custom": custom} if custom else {})}, "options": options}


PANELS: dict[str, dict[str, Any]] = {
    "timeseries": _plugin("palette-classic", {"legend": LEGEND, "tooltip": TOOLTIP}, GRAPH_FIELD),
    "barchart": _plugin("palette-classic", {
        "orientation": "auto", "showValue": "auto", "stacking": "none", "barWidth": 0.97, "groupWidth": 0.7,
        "xTickLabelRotation": 0, "xTickLabelMaxLength": 0, "fullHighlight": False, "legend": LEGEND,
        "tooltip": TOOLTIP}, {"fillOpacity": 80, "lineWidth": 1, "gradientMode": "none"}),
    "stat": _plugin("thresholds", {"reduceOptions": REDUCE, "colorMode": "value", "graphMode": "area",
                                   "justifyMode": "auto", "textMode": "auto", "orientation": "auto", "wideLayout": True,
                                   "showPercentChange": False}),
    "gauge": _plugin("thresholds", {"reduceOptions": REDUCE, "showThresholdLabels": False,
                                    "showThresholdMarkers": True, "orientation": "auto", "sizing": "auto",
                                    "minVizWidth": 75, "minVizHeight": 75}),
    "bargauge": _plugin("thresholds", {"reduceOptions": REDUCE, "orientation": "auto", "displayMode": "gradient",
                                       "valueMode": "color", "namePlacement": "auto", "showUnfilled": True,
                                       "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300}),
    "table": _plugin("thresholds", {"showHeader": True, "cellHeight": "sm"}, {"align": "auto", "filterable": False}),
    "state-timeline": _plugin("thresholds", {"mergeValues": True, "showValue": "auto", "alignValue": "left",
                                             "rowHeight": 0.9, "legend": LEGEND, "tooltip": TOOLTIP},
                              {"lineWidth": 0, "fillOpacity": 70}),
    "piechart": _plugin("palette-classic", {"reduceOptions": REDUCE, "pieType": "pie", "displayLabels": [],
                                            "legend": LEGEND | {"values": []}, "tooltip": TOOLTIP}),
}


def loaded_panel(panel: dict[str, Any]) -> dict[str, Any]:
    """A panel in the current shape as Grafana holds it: its plugin's defaults under what it says."""
    defaults = PANELS.get(str(panel.get("type")))
    if defaults is None or "libraryPanel" in panel:
        return panel
    return merge(defaults, panel)


def loaded_variable(variable: dict[str, Any]) -> dict[str, Any]:
    """A template variable as Grafana holds it."""
    return VARIABLES.get(str(variable.get("type")), {}) | variable


def loaded_target(target: dict[str, Any]) -> dict[str, Any]:
    """A Prometheus target as Grafana holds it."""
    return TARGET | target


def loaded_link(link: dict[str, Any]) -> dict[str, Any]:
    """A dashboard link as Grafana holds it: without keepTime it does not add the time range to its URL."""
    return LINK | link


def loaded_dashboard(dashboard: dict[str, Any]) -> dict[str, Any]:
    """A dashboard's own settings as Grafana holds them."""
    return DASHBOARD | dashboard
