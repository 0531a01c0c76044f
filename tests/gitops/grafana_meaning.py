"""What a Grafana dashboard means to a viewer, read the way Grafana reads it, for comparing an original with
what obsgen builds from it.

Written apart from the importer on purpose: old panel types are read from their own settings (a graph's
unit from yaxes[0].format, a singlestat's thresholds from "80,95" and its colours, an angular table's from its
catch-all style), new ones from fieldConfig and options, and absent settings take the values Grafana gives them
on load (DashboardModel's constructor, the plugins' defaults). Layout (gridPos) is not meaning: obsgen lays panels out
again in the same order.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

# Panel types Grafana replaced, and the type it loads each as (DashboardMigrator's autoMigrateOldPanels).
SUCCESSORS = {"graph": "timeseries", "singlestat": "stat", "grafana-singlestat-panel": "stat", "table-old": "table",
              "grafana-piechart-panel": "piechart", "text2": "text"}
DEFAULT_STEPS = ((None, "green"), (80.0, "red"))  # the standard thresholds option's default
# Every field of a Prometheus target is compared but these: the query editor's mode (how it is edited, not what
# it asks), the data source (obsgen's own: MANDATED), and the Graphite-era leftovers the data source never reads.
TARGET_IGNORED = frozenset({"editorMode", "datasource", "metric", "target"})
DEFAULT_TARGET = {"legendFormat": "", "instant": False, "hide": False, "format": "time_series", "exemplar": False,
                  "interval": "", "intervalFactor": 1}  # packages/grafana-prometheus/src/types.ts, querying.ts
# Grafana's DashboardLink (kinds/dashboard/dashboard_kind.cue), with the defaults it gives what a link leaves out.
DASHBOARD_LINK = {"title": "", "type": "link", "url": "", "icon": "external link", "tooltip": "", "tags": [],
                  "asDropdown": False, "targetBlank": False, "includeVars": False, "keepTime": False}
# A panel's links are DataLinks (linkSrv.getDataLinkUIModel): a DashboardLink's own fields mean nothing on them.
DATA_LINK = {"title": "", "url": "", "targetBlank": False}
DATA_LINK_IGNORED = frozenset(DASHBOARD_LINK) - frozenset(DATA_LINK)
PANEL_LINKS_SCHEMA = 19  # schemaversion/v19.go: older panel links become DataLinks, their settings in the URL
# An annotation query (AnnotationQuery in dashboard_kind.cue) with Grafana's defaults; every field compared.
DEFAULT_ANNOTATION = {"enable": True, "hide": False, "builtIn": 0}
# Every field of a variable is compared but these: the query editor's rendering of the query (definition), the
# data source (obsgen's own: MANDATED), the tag fields Grafana 8 removed, and the old hiding flags (read into
# hide). Its options are compared only where Grafana does not compute them again on load (a query variable
# never refreshed); an empty field is an absent one.
VARIABLE_IGNORED = frozenset({"definition", "datasource", "tags", "tagsQuery", "tagValuesQuery", "useTags",
                              "hideVariable", "hideLabel"})
DEFAULT_VARIABLE = {"skipUrlSync": False, "sort": 0}  # initialQueryVariableModelState and the others'
# What Grafana fills in for a panel option left out, by plugin: each plugin's panelcfg.cue (bargauge, gauge, stat,
# table, text) and its module.tsx option builders (reduceOptions and orientation of the single-stat ones, legend
# and tooltip of timeseries). A plugin missing here has no defaults: an option written on one side only differs.
REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}
SINGLE_STAT = {"reduceOptions": REDUCE, "orientation": "auto"}
OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "timeseries": {"legend": {"showLegend": True, "displayMode": "list", "placement": "bottom", "calcs": []},
                   "tooltip": {"mode": "single", "sort": "none"}},
    "stat": SINGLE_STAT | {"graphMode": "area", "colorMode": "value", "justifyMode": "auto", "textMode": "auto",
                           "wideLayout": True, "showPercentChange": False},
    "gauge": SINGLE_STAT | {"showThresholdLabels": False, "showThresholdMarkers": True, "sizing": "auto",
                            "minVizWidth": 75, "minVizHeight": 75},
    "bargauge": SINGLE_STAT | {"displayMode": "gradient", "valueMode": "color", "namePlacement": "auto",
                               "showUnfilled": True, "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16,
                               "maxVizHeight": 300},
    "table": {"frameIndex": 0, "showHeader": True, "cellHeight": "sm"},
    "text": {"mode": "markdown",
             "content": "# Title\n\nFor markdown syntax help: [commonmark.org/help](https://commonmark.org/help/)"},
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _is_old_table(panel: dict[str, Any], schema: int) -> bool:
    return panel.get("type") == "table-old" or (panel.get("type") == "table" and (
        "styles" in panel or (schema < 24 and "fieldConfig" not in panel)))


def _kind(panel: dict[str, Any]) -> str:
    kind = str(panel.get("type"))
    if kind == "graph" and (panel.get("xaxis") or {}).get("mode") in ("series", "histogram"):
        return "histogram" if panel["xaxis"]["mode"] == "histogram" else (
            "bargauge" if (panel.get("legend") or {}).get("values") else "barchart")
    return SUCCESSORS.get(kind, kind)


def _steps(panel: dict[str, Any], schema: int) -> tuple[tuple[float | None, str | None], ...] | tuple[float, ...]:
    """Threshold steps (base value None); a migrated graph's by value only (its colours come from colorMode)."""
    kind = panel.get("type")
    if kind == "graph":
        grid = panel.get("grid") or {} if schema < 13 else {}  # before schema 13: grid.threshold1/2
        values = sorted(v for v in (*(_number(t.get("value")) for t in panel.get("thresholds") or []
                                      if isinstance(t, dict)), _number(grid.get("threshold1")),
                                    _number(grid.get("threshold2"))) if v is not None)
        return tuple(values) if values else tuple(v for v, _ in DEFAULT_STEPS if v is not None)
    if kind in ("singlestat", "grafana-singlestat-panel"):
        bounds = [b for b in str(panel.get("thresholds") or "").split(",") if b.strip()]
        colours = panel.get("colors") or []
        if bounds and colours:
            return tuple((None if i == 0 else _number(bounds[i - 1]), colour) for i, colour in enumerate(colours))
        return DEFAULT_STEPS
    if _is_old_table(panel, schema):
        style = next((s for s in panel.get("styles") or [] if s.get("pattern") == "/.*/"), None)
        if style and style.get("thresholds") and style.get("colors"):
            levels: list[float | None] = [None, *(_number(b) for b in style["thresholds"])]
            return tuple((v, style["colors"][i] if i < len(style["colors"]) else None) for i, v in enumerate(levels))
        return DEFAULT_STEPS
    steps = (((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds") or {}).get("steps")
    if not steps:
        return DEFAULT_STEPS
    return tuple((None if i == 0 else _number(s.get("value")), s.get("color")) for i, s in enumerate(steps))


def _field(panel: dict[str, Any], schema: int) -> dict[str, Any]:
    """Unit, decimals, min and max of the panel's fields."""
    kind = panel.get("type")
    if kind == "graph":
        axis = (panel.get("yaxes") or [{}])[0] or {}
        return {"unit": axis.get("format") or "", "decimals": _number(axis.get("decimals")),
                "min": _number(axis.get("min")), "max": _number(axis.get("max"))}
    if kind in ("singlestat", "grafana-singlestat-panel", "grafana-piechart-panel"):
        gauge = panel.get("gauge") or {}
        shown = bool(gauge.get("show"))
        return {"unit": panel.get("format") or "", "decimals": _number(panel.get("decimals")),
                "min": _number(gauge.get("minValue")) if shown else None,
                "max": _number(gauge.get("maxValue")) if shown else None}
    if _is_old_table(panel, schema):
        style: dict[str, Any] = next((s for s in panel.get("styles") or [] if s.get("pattern") == "/.*/"), {})
        return {"unit": style.get("unit") or "", "decimals": _number(style.get("decimals")), "min": None,
                "max": None}
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    return {"unit": defaults.get("unit") or "", "decimals": _number(defaults.get("decimals")),
            "min": _number(defaults.get("min")), "max": _number(defaults.get("max"))}


def _value_texts(panel: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Value -> text mappings."""
    if panel.get("type") in ("singlestat", "grafana-singlestat-panel"):
        if panel.get("mappingType", 1) == 2:
            return ()
        return tuple(sorted((str(m.get("value")), str(m.get("text", ""))) for m in panel.get("valueMaps") or []
                            if isinstance(m, dict) and m.get("value") not in (None, "null")))
    mappings = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("mappings") or []
    return tuple(sorted((str(value), str((result or {}).get("text", "")))
                        for m in mappings if isinstance(m, dict) and m.get("type") == "value"
                        for value, result in (m.get("options") or {}).items()))


def _overridden(panel: dict[str, Any], schema: int) -> tuple[tuple[str, str], ...]:
    """The fields overrides apply to (matcher id and what it matches)."""
    if panel.get("type") == "graph":
        aliases = [("byName", alias) for alias, colour in (panel.get("aliasColors") or {}).items() if colour]
        rules = [r for r in panel.get("seriesOverrides") or [] if isinstance(r, dict) and r.get("alias")
                 and set(r) - {"alias", "$$hashKey"}]
        return tuple(sorted({*aliases, *(("byRegexp" if _regex(str(r["alias"])) else "byName", str(r["alias"]))
                                        for r in rules)}))
    if _is_old_table(panel, schema):
        return tuple(sorted({("byRegexp" if _slashed(str(s.get("pattern"))) else "byName", str(s.get("pattern")))
                             for s in panel.get("styles") or [] if s.get("pattern") != "/.*/"
                             and set(s) - {"pattern", "type", "$$hashKey"} | ({"type"} if s.get("type") in
                                                                               ("hidden", "date") else set())}))
    overrides = (panel.get("fieldConfig") or {}).get("overrides") or []
    return tuple(sorted({(str((o.get("matcher") or {}).get("id")), str((o.get("matcher") or {}).get("options")))
                         for o in overrides if isinstance(o, dict) and o.get("properties")}))


def _regex(alias: str) -> bool:
    return len(alias) > 2 and alias[0] == alias[-1] and alias[0] in "/~@;%#'"


def _slashed(pattern: str) -> bool:
    return len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/")


def _queries(panel: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Each query that asks something, every field as Grafana reads it (an empty one is an absent one; a refId
    given where none is, as PanelModel does; range unless instant only)."""
    targets = [target for target in panel.get("targets") or [] if isinstance(target, dict)]
    taken = {target.get("refId") for target in targets}
    found = []
    for target in targets:
        if not target.get("refId"):
            target = target | {"refId": next(ref for ref in _ref_ids() if ref not in taken)}
            taken.add(target["refId"])
        if not str(target.get("expr") or "").strip():
            continue
        target = DEFAULT_TARGET | {k: v for k, v in target.items() if v not in ("", None)}
        target["range"] = bool(target.get("range", not target["instant"]))
        found.append({key: value for key, value in target.items() if key not in TARGET_IGNORED})
    return tuple(found)


def _ref_ids() -> Iterator[str]:
    """The refIds Grafana gives queries in turn (getNextRefId: A..Z, then AA, AB...)."""
    yield from string.ascii_uppercase
    yield from (first + second for first in string.ascii_uppercase for second in string.ascii_uppercase)


def _slug(name: str) -> str:
    """kbn.slugifyForUrl (schemaversion/v19.go's slugifyForURL)."""
    return re.sub(" +", "-", re.sub("[^a-z0-9_ ]+", "", name.lower()))


def _upgraded_panel_link(link: dict[str, Any]) -> dict[str, Any]:
    """An old panel link as DashboardMigrator's upgradePanelLink (schema 19) makes it: url, title, targetBlank."""
    url = (str(link.get("url") or "") or (f"dashboard/db/{_slug(str(link['dashboard']))}" if link.get("dashboard")
                                          else "") or (f"dashboard/{link['dashUri']}" if link.get("dashUri") else "/"))
    for key, added in (("keepTime", "$__url_time_range"), ("includeVars", "$__all_variables"), ("params", None)):
        if link.get(key):  # urlUtil.appendQueryToUrl
            url += ("" if url.endswith("?") else "&" if "?" in url else "?") + (added or str(link[key]))
    return {"url": url, "title": str(link.get("title") or ""), "targetBlank": bool(link.get("targetBlank"))}


def _panel_links(panel: dict[str, Any], schema: int) -> tuple[dict[str, Any], ...]:
    """Every field of each panel link Grafana reads as a DataLink."""
    links = [link for link in panel.get("links") or [] if isinstance(link, dict)]
    if schema < PANEL_LINKS_SCHEMA:
        links = [_upgraded_panel_link(link) for link in links]
    return tuple(DATA_LINK | {k: v for k, v in link.items() if k not in DATA_LINK_IGNORED} for link in links)


def _filled(defaults: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Options with what Grafana fills in for those left out, at every level; an empty object says nothing."""
    found = dict(defaults)
    for key, value in options.items():
        if isinstance(value, dict) and not value:
            continue
        default = defaults.get(key)
        found[key] = _filled(default, value) if isinstance(default, dict) and isinstance(value, dict) else value
    return found


def _options(panel: dict[str, Any], schema: int) -> dict[str, Any] | None:
    """Every option of a panel Grafana loads as it is; None for one it migrates from an old type (its options are
    what the migration makes of its old settings, compared field by field above) and for rows."""
    kind = str(panel.get("type"))
    if kind in SUCCESSORS or kind == "row" or _is_old_table(panel, schema) or _kind(panel) != kind:
        return None
    options = panel.get("options")
    return _filled(OPTION_DEFAULTS.get(kind, {}), options if isinstance(options, dict) else {})


def panel_meaning(panel: dict[str, Any], schema: int) -> dict[str, Any]:
    """What a viewer sees of one panel."""
    meaning: dict[str, Any] = {"title": str(panel.get("title") or ""), "type": _kind(panel),
                               "queries": _queries(panel), "links": _panel_links(panel, schema),
                               "options": _options(panel, schema)}
    if panel.get("type") in ("text", "row", "text2") or "libraryPanel" in panel:
        return meaning
    return meaning | _field(panel, schema) | {"thresholds": _steps(panel, schema), "value_texts": _value_texts(panel),
                                             "overrides": _overridden(panel, schema)}


def _reading_order(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Panels top to bottom, left to right, nested ones after their row; old rows (schema < 16) in order, the
    copies Grafana saved of repeated rows and panels left out (upgradeToGridLayout skips them)."""
    if dashboard.get("rows") and not dashboard.get("panels"):
        return [p for row in dashboard["rows"] if not row.get("repeatIteration") for p in row.get("panels") or []
                if not p.get("repeatPanelId")]

    def position(panel: dict[str, Any]) -> tuple[float, float]:
        grid = panel.get("gridPos") or {}
        return _number(grid.get("y")) or 0, _number(grid.get("x")) or 0

    found = []
    for panel in sorted(dashboard.get("panels") or [], key=position):
        if panel.get("repeatPanelId") or panel.get("repeatIteration"):
            continue
        found.append(panel)
        found += sorted(panel.get("panels") or [], key=position)
    return [p for p in found if p.get("type") != "row"]


def _variable(variable: dict[str, Any]) -> dict[str, Any]:
    query = variable.get("query")
    current = (variable.get("current") or {}).get("value")
    current = current[0] if isinstance(current, list) and len(current) == 1 else current or None  # [x] is x
    if current is None and variable.get("includeAll"):
        current = "$__all"  # nothing selected: Grafana selects the first option, All
    refresh = variable.get("refresh", 1 if variable.get("type") in ("query", "datasource") else 0)
    fields = {key: value for key, value in variable.items() if key not in VARIABLE_IGNORED and value not in ("", None)}
    if variable.get("type") != "query" or refresh not in (0, False):
        fields.pop("options", None)
    return DEFAULT_VARIABLE | fields | {"name": variable.get("name"), "type": variable.get("type"),
            "label": variable.get("label") or variable.get("name"),  # no label: Grafana shows the name
            "query": str(query.get("query", "") if isinstance(query, dict) else query or ""),
            "includeAll": bool(variable.get("includeAll")), "allValue": variable.get("allValue") or None,
            "multi": bool(variable.get("multi")), "regex": variable.get("regex") or "",
            "refresh": int(refresh) if isinstance(refresh, bool | int) else refresh,
            "current": tuple(current) if isinstance(current, list) else current,
            "hide": 2 if variable.get("hideVariable") else 1 if variable.get("hideLabel") else variable.get("hide", 0)}


def dashboard_meaning(dashboard: dict[str, Any]) -> dict[str, Any]:
    """What a viewer sees of a dashboard: its settings, variables, links, annotations and panels."""
    schema = int(_number(dashboard.get("schemaVersion")) or 0)
    tooltip = dashboard.get("graphTooltip", 1 if dashboard.get("sharedCrosshair") else 0)
    refresh = dashboard.get("refresh")
    annotations = [a for a in (dashboard.get("annotations") or {}).get("list") or [] if not a.get("builtIn")]
    return {
        "title": dashboard.get("title"), "tags": tuple(dashboard.get("tags") or ()),
        "timezone": dashboard.get("timezone", ""), "graphTooltip": tooltip,
        "editable": dashboard.get("editable", True), "refresh": refresh if isinstance(refresh, str) else "",
        "time": dashboard.get("time") or {"from": "now-6h", "to": "now"},
        "links": tuple(DASHBOARD_LINK | link for link in dashboard.get("links") or [] if isinstance(link, dict)),
        "annotations": tuple(DEFAULT_ANNOTATION | annotation for annotation in annotations),
        "variables": [_variable(v) for v in (dashboard.get("templating") or {}).get("list") or []],
        "panels": [panel_meaning(p, schema) for p in _reading_order(dashboard)],
    }
