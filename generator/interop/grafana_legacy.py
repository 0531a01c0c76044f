"""Old Grafana dashboard JSON brought to the current shape, as Grafana's own migrations do, before conversion.

Before schema 16 panels lived in `rows: [...]`, sized in spans of 12 and in pixels: they become the flat
grid list with row panels. Panel types Grafana removed become their successors
(generator.interop.grafana_successors, with the graph's and the old table's in grafana_graph_successor and
grafana_table_successor). Old settings holding the old default carry nothing and are left
behind; any other setting with no successor stays in the panel, kept verbatim, with a note.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

from generator.core.verbatim import empty, merge, without
from generator.interop import grafana_successors as successors
from generator.interop.grafana_old_values import Translated
from generator.interop.grafana_table_successor import is_old_table, table
from generator.interop.notes import Notes
from generator.targets.grafana import BUILTIN_ANNOTATION

GRID_COLUMNS = 24
GRID_THRESHOLDS_SCHEMA = 13  # graphs kept their thresholds in grid.threshold1/2 before
PANEL_LINKS_SCHEMA = 19  # panel links were dashboard links (dashboard, keepTime, params...) before
CELL_HEIGHT, CELL_MARGIN, MIN_PANEL_PX = 30, 8, 90  # Grafana's grid constants, in pixels
DEFAULT_ROW_PX, DEFAULT_SPAN = 250, 4
GRID_KEYS = frozenset({"span", "height", "minSpan"})  # translated into gridPos and maxPerRow
ANY_PANEL = frozenset({"editable", "error", "isNew"})  # old settings of every panel type
CURRENT_PANEL_KEYS = frozenset({
    "id", "type", "title", "description", "gridPos", "datasource", "targets", "fieldConfig", "options", "links",
    "transparent", "repeat", "repeatDirection", "maxPerRow", "timeFrom", "timeShift", "hideTimeOverride", "interval",
    "maxDataPoints", "cacheTimeout", "queryCachingTTL", "transformations", "pluginVersion", "libraryPanel", "panels",
    "collapsed", "scopedVars",
})
OLD_DEFAULTS: dict[str, Any] = {
    "renderer": "flot", "editable": True, "error": False, "isNew": True, "hiddenSeries": False,
    "yaxis": {"align": False, "alignLevel": 0}, "nullPointMode": ("null", "connected"),
    "grid": {"threshold1Color": "rgba(216, 200, 27, 0.27)", "threshold2Color": "rgba(234, 112, 112, 0.22)"},
    "prefix": "", "postfix": "", "prefixFontSize": "50%", "postfixFontSize": "50%", "valueFontSize": "80%",
    "fontSize": ("100%", "80%"), "scroll": True, "pageSize": None, "strokeWidth": 1, "breakPoint": "50%",
    "combine": {"label": "Others", "threshold": 0}, "sort": {"col": 0, "desc": True}, "highlightCards": True,
    "legend": {"avg": False, "current": False, "max": False, "min": False, "show": True, "total": False,
               "values": False, "hideEmpty": False, "hideZero": False},
    "tooltip": {"msResolution": False, "shared": True, "sort": 0, "value_type": "individual"},
    "xaxis": {"mode": "time", "show": True, "buckets": None, "name": None},
}
OLD_DASHBOARD_DEFAULTS: dict[str, Any] = {
    "hideControls": False, "style": "dark", "sharedCrosshair": None, "originalTitle": None, "gnetId": None,
    "timepicker": {"hidden": False, "time_options": ["5m", "15m", "1h", "6h", "12h", "24h", "2d", "7d", "30d"],
                   "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]},
}
OLD_VARIABLE_DEFAULTS: dict[str, Any] = {"useTags": False, "tags": [], "tagsQuery": "", "tagValuesQuery": "",
                                         "auto": False, "auto_count": 30, "auto_min": "10s"}
OLD_OPTION_DEFAULTS: dict[str, Any] = {"alertThreshold": True, "dataLinks": []}  # graph options with no successor


def _carries_nothing(value: Any, default: Any) -> bool:
    """Whether an old setting holds the old default (or nothing); a tuple lists the defaults of several panels."""
    if empty(value) or value == default:
        return True
    if isinstance(default, tuple):
        return any(_carries_nothing(value, one) for one in default)
    if isinstance(value, dict) and isinstance(default, dict):
        return all(_carries_nothing(v, default.get(k)) for k, v in value.items())
    return False


def grid_height(height: Any, fallback: int = DEFAULT_ROW_PX) -> int:
    """Grid rows of an old height in pixels ("250px", 250), as Grafana's upgradeToGridLayout computes them."""
    try:
        pixels = int(str(height).strip().removesuffix("px"))
    except ValueError:
        pixels = fallback
    return math.ceil(max(pixels, MIN_PANEL_PX) / (CELL_HEIGHT + CELL_MARGIN))


def _slug(name: str) -> str:
    """A dashboard's name as an old link's URL names it (kbn.slugifyForUrl)."""
    return re.sub(" +", "-", re.sub("[^a-z0-9_ ]+", "", name.lower()))


def _link(link: dict[str, Any]) -> dict[str, Any]:
    """A panel link of schema < 19 as the data link Grafana's upgradePanelLink makes of it: the dashboard it names
    (by name or uri) or its url, with keepTime, includeVars and params moved into the URL (a data link reads no
    other field)."""
    url = (str(link.get("url") or "") or (f"dashboard/db/{_slug(str(link['dashboard']))}" if link.get("dashboard")
                                          else "") or (f"dashboard/{link['dashUri']}" if link.get("dashUri") else "/"))
    for key, added in (("keepTime", "$__url_time_range"), ("includeVars", "$__all_variables"), ("params", None)):
        if link.get(key):  # as urlUtil.appendQueryToUrl
            url += ("" if url.endswith("?") else "&" if "?" in url else "?") + (added or str(link[key]))
    return {"title": link.get("title", ""), "url": url, **({"targetBlank": True} if link.get("targetBlank") else {})}


def _max_per_row(min_span: Any) -> int | None:
    """A panel's old minSpan as the repeat's maxPerRow (the largest factor of 24 that fits)."""
    try:
        largest = GRID_COLUMNS / min(GRID_COLUMNS, 2 * float(min_span))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return max(f for f in range(1, GRID_COLUMNS + 1) if GRID_COLUMNS % f == 0 and f <= largest)


def _grid_thresholds(panel: dict[str, Any]) -> dict[str, Any]:
    """A graph's grid.threshold1/2 (schema < 13) as threshold lines or areas, as DashboardMigrator's schema 13
    upgrade: pushed after the panel's own, "lt" when the first is above the second."""
    grid = dict(panel["grid"])
    line = bool(grid.pop("thresholdLine", False))
    found = []
    for index in (1, 2):
        value, colour = grid.pop(f"threshold{index}", None), grid.pop(f"threshold{index}Color", None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append({"value": value, "colorMode": "custom", "line" if line else "fill": True,
                          "lineColor" if line else "fillColor": colour})
    if len(found) == 2 and found[0]["value"] > found[1]["value"]:
        found = [{**threshold, "op": "lt"} for threshold in found]
    found = [{"op": "gt", **threshold} for threshold in found]
    return {**panel, "grid": grid, "thresholds": [*(panel.get("thresholds") or []), *found]}


def _old_text(old: dict[str, Any]) -> Translated:
    return {"type": "text", "options": {"mode": old.get("mode") or "markdown", "content": old.get("content", "")}}, {
        "mode", "content"}


def _translator(panel: dict[str, Any], schema: int) -> Callable[[dict[str, Any]], Translated] | None:
    kind = str(panel.get("type"))
    if kind in successors.SUCCESSORS:
        return successors.SUCCESSORS[kind]
    if is_old_table(panel, schema):
        return table
    if successors.is_old_heatmap(panel):
        return successors.heatmap
    if kind == "text" and "content" in panel and "options" not in panel:
        return _old_text
    return None


def upgrade_panel(panel: dict[str, Any], schema: int, notes: Notes) -> dict[str, Any] | None:
    """A panel in the current shape; None for the copies Grafana saved of a repeated panel."""
    if panel.get("repeatPanelId") or panel.get("repeatIteration"):
        notes.add("copies Grafana saved of repeated panels, left out (the repeat makes them)", repr(panel.get("title")))
        return None
    path = notes.where
    name = repr(panel.get("title") or panel.get("type"))
    if schema < GRID_THRESHOLDS_SCHEMA and panel.get("type") == "graph" and isinstance(panel.get("grid"), dict):
        panel = _grid_thresholds(panel)
    translate = _translator(panel, schema)
    new: dict[str, Any] = {key: value for key, value in panel.items() if key in CURRENT_PANEL_KEYS}
    used: set[str] = set()
    if translate is not None:
        translated, used = translate(panel)
        if translated["type"] != panel.get("type"):
            notes.add(f"{panel.get('type')} panels became {translated['type']}, Grafana's successor (settings "
                      "translated as Grafana's own migration does)", name)
        else:
            notes.add(f"old {translated['type']} panels' settings translated to the current {translated['type']} "
                      "(as Grafana's own migration does)", name)
        if ((translated.get("fieldConfig") or {}).get("defaults") or {}).get("custom", {}).get("hidden"):
            notes.add("angular tables whose catch-all style (/.*/) hides columns: those no other style names stay "
                      "hidden (custom.hidden); Grafana's tablePanelChangedHandler drops the style and shows them",
                      f"{name} styles")
        before, after = panel.get("fieldConfig") or {}, translated.pop("fieldConfig", {})
        new["fieldConfig"] = {"defaults": merge(before.get("defaults") or {}, after.get("defaults") or {}),
                              "overrides": [*(before.get("overrides") or []), *(after.get("overrides") or [])]}
        kept = {k: v for k, v in (panel.get("options") or {}).items()
                if not _carries_nothing(v, OLD_OPTION_DEFAULTS.get(k))}
        new["options"] = merge(kept, translated.pop("options", {}))
        new |= translated
    if panel.get("type") == "heatmap-new":
        new["type"] = "heatmap"
    if panel.get("minSpan") and _max_per_row(panel["minSpan"]):
        new.setdefault("maxPerRow", _max_per_row(panel["minSpan"]))
    if isinstance(new.get("links"), list) and schema < PANEL_LINKS_SCHEMA:  # later ones are data links already
        new["links"] = [_link(link) for link in new["links"] if isinstance(link, dict)]
    if isinstance(new.get("targets"), list):  # some tools repeat a Prometheus expr as "query": it says nothing more
        new["targets"] = [without(t, {"query"}) if isinstance(t, dict) and t.get("query") == t.get("expr") else t
                          for t in new["targets"]]
    if new.get("datasource") is None:
        new.pop("datasource", None)
    for key, value in panel.items():
        if key in CURRENT_PANEL_KEYS or key in used or key in GRID_KEYS:
            continue
        if translate is None:  # a current type's own settings (or a plugin's): the converter keeps them
            if not (key in ANY_PANEL and _carries_nothing(value, OLD_DEFAULTS[key])):
                new[key] = value
        elif not _carries_nothing(value, OLD_DEFAULTS.get(key)):
            new[key] = value
            notes.add(f"old panel settings with no successor, kept verbatim (Grafana's {new.get('type')} ignores "
                      "them)", f"{name} {key}")
    if isinstance(new.get("panels"), list):  # a collapsed row's: each noted at its own path
        outer, upgraded = notes.where, []
        for index, inner in enumerate(new["panels"]):
            notes.where = f"{outer}.panels[{index}]" if outer else ""
            upgraded.append(upgrade_panel(inner, schema, notes))
        notes.where = outer
        new["panels"] = [p for p in upgraded if p]
    notes.placed[id(new)] = path  # the readers find it by this object, alive until the conversion ends
    return new


def _rows_to_grid(rows: list[dict[str, Any]], notes: Notes) -> tuple[list[dict[str, Any]], list[str]]:
    """Old rows as grid panels, with row panels when any row is collapsed, repeated or shows its title; and the
    JSON path each grid panel was written at (a row's panels are at rows[i].panels[j] in the file)."""
    show_rows = any(row.get("collapse") or row.get("showTitle") or row.get("repeat") for row in rows)
    panels: list[dict[str, Any]] = []
    origins: list[str] = []
    y = 0
    for index, row in enumerate(rows):
        notes.where = f"rows[{index}]"
        if row.get("repeatIteration"):
            continue
        row_height = grid_height(row.get("height") or DEFAULT_ROW_PX)
        target: list[dict[str, Any]] = panels
        if show_rows:
            header: dict[str, Any] = {"type": "row", "title": row.get("title") or "",
                                      "collapsed": bool(row.get("collapse")), "panels": [],
                                      "gridPos": {"x": 0, "y": y, "w": GRID_COLUMNS, "h": 1}}
            header |= {"repeat": row["repeat"]} if row.get("repeat") else {}
            panels.append(header)
            origins.append(f"rows[{index}]")
            target = header["panels"] if header["collapsed"] else panels
            y += 1
        x, line = 0, 0
        for inner, panel in enumerate(row.get("panels") or []):
            width = min(GRID_COLUMNS, max(1, int(float(panel.get("span") or DEFAULT_SPAN)) * 2))
            height = grid_height(panel["height"], row_height * 38) if panel.get("height") else row_height
            if x + width > GRID_COLUMNS:
                x, y, line = 0, y + line, 0
            target.append({**panel, "gridPos": {"x": x, "y": y, "w": width, "h": height}})
            origins += [f"rows[{index}].panels[{inner}]"] if target is panels else []
            x, line = x + width, max(line, height)
        if not (show_rows and row.get("collapse")):
            y += max(line, row_height if row.get("panels") else 0)
    if rows:
        notes.add("panels in old-style rows placed on the grid (schema < 16: spans of 12 and pixel heights)", at="rows")
    return panels, origins


def _builtin(annotation: Any) -> bool:
    """Whether an annotation is Grafana's built-in one, in any version's form (the target writes it again)."""
    return isinstance(annotation, dict) and annotation.get("builtIn") == 1 and all(
        annotation.get(key, value) == value for key, value in BUILTIN_ANNOTATION.items()
        if key not in ("datasource", "builtIn"))


def _upgrade_variable(variable: dict[str, Any]) -> dict[str, Any]:
    new = {k: v for k, v in variable.items()
           if k not in ("hideVariable", "hideLabel") and not _carries_nothing(v, OLD_VARIABLE_DEFAULTS.get(k, ...))}
    if isinstance(variable.get("refresh"), bool):
        new["refresh"] = 1 if variable["refresh"] else 0
    if variable.get("hideVariable"):
        new["hide"] = 2
    elif variable.get("hideLabel"):
        new["hide"] = 1
    return new


def upgrade(data: dict[str, Any], notes: Notes) -> dict[str, Any]:
    """A copy of a dashboard in the current shape: grid panels, current panel types, current variable fields."""
    dashboard = copy.deepcopy(data)
    schema = int(dashboard.get("schemaVersion") or 0)
    origins: list[str] = []  # where each panel is written, when not at panels[i]
    if dashboard.get("rows") and not dashboard.get("panels"):
        dashboard["panels"], origins = _rows_to_grid(dashboard.pop("rows"), notes)
    dashboard.pop("rows", None)
    if "sharedCrosshair" in dashboard and "graphTooltip" not in dashboard:
        dashboard["graphTooltip"] = 1 if dashboard["sharedCrosshair"] else 0
    for key, default in OLD_DASHBOARD_DEFAULTS.items():
        if key in dashboard and (_carries_nothing(dashboard[key], default) or key in ("sharedCrosshair",
                                                                                      "originalTitle")):
            del dashboard[key]
        elif isinstance(dashboard.get(key), dict) and isinstance(default, dict):  # its old defaults say nothing
            dashboard[key] = {k: v for k, v in dashboard[key].items() if not _carries_nothing(v, default.get(k, ...))}
    upgraded = []
    for index, panel in enumerate(dashboard.get("panels") or []):
        notes.where = origins[index] if index < len(origins) else f"panels[{index}]"
        upgraded.append(upgrade_panel(panel, schema, notes))
    notes.where = ""
    dashboard["panels"] = [panel for panel in upgraded if panel]
    annotations = dashboard.get("annotations") or {}
    if isinstance(annotations.get("list"), list):
        annotations["list"] = [a for a in annotations["list"] if not _builtin(a)]
    templating = dashboard.get("templating") or {}
    templating.pop("enable", None)
    templating["list"] = [_upgrade_variable(v) for v in templating.get("list") or [] if isinstance(v, dict)]
    dashboard["templating"] = templating
    return dashboard
