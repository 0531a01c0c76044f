"""Panel types Grafana removed, translated into their successors the way Grafana's own migrations do.

Each translator takes the old panel and returns the successor's settings (type, fieldConfig, options,
transformations) and the old keys it translated. Keys it did not translate are the caller's concern:
dropped when they hold the old default, kept verbatim otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Translated = tuple[dict[str, Any], set[str]]
REDUCERS = {"avg": "mean", "current": "lastNotNull", "total": "sum", "min": "min", "max": "max", "first": "first",
            "last": "last", "delta": "delta", "diff": "diff", "range": "range", "count": "count", "mean": "mean",
            "sum": "sum", "lastNotNull": "lastNotNull"}
SORT_NAMES = {"avg": "Mean", "current": "Last *", "max": "Max", "min": "Min", "total": "Total"}
REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)$")


def number(value: Any) -> float | int | None:
    """A number from old JSON, where axes kept "0" and "100" as strings; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        parsed = float(str(value))
    except ValueError:
        return None
    return int(parsed) if parsed.is_integer() else parsed


def _present(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _matcher(alias: str) -> dict[str, Any]:
    return {"id": "byRegexp" if REGEX_ALIAS.match(alias) else "byName", "options": alias}


def _colour_overrides(aliases: dict[str, str]) -> list[dict[str, Any]]:
    return [{"matcher": {"id": "byName", "options": alias},
             "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": colour}}]}
            for alias, colour in aliases.items() if colour]


def _axis(axis: dict[str, Any] | None) -> dict[str, Any]:
    """Field defaults from an old y axis: unit, decimals, min, max, label, placement, log scale."""
    if not axis:
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if axis.get("show", True) else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if axis.get("logBase") in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
    return _present({"unit": axis.get("format"), "decimals": number(axis.get("decimals")),
                     "min": number(axis.get("min")), "max": number(axis.get("max")), "custom": custom})


def _override(rule: dict[str, Any], yaxes: list[Any], y1: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A graph series override as a field override; also the properties it could not translate."""
    properties: list[dict[str, Any]] = []
    untranslated = []
    simple: dict[str, tuple[str, Callable[[Any], Any]]] = {
              "fill": ("custom.fillOpacity", lambda v: v * 10), "linewidth": ("custom.lineWidth", lambda v: v),
              "pointradius": ("custom.pointSize", lambda v: 2 + v * 2), "fillBelowTo": ("custom.fillBelowTo", str),
              "points": ("custom.showPoints", lambda v: "always" if v else "never"),
              "lines": ("custom.lineWidth", lambda v: None if v else 0),
              "stack": ("custom.stacking", lambda v: {"mode": "normal", "group": v} if v else {"mode": "none"}),
              "color": ("color", lambda v: {"mode": "fixed", "fixedColor": v}),
              "transform": ("custom.transform", lambda v: "negative-Y" if v == "negative-Y" else "constant")}
    for key, value in rule.items():
        if key in ("alias", "$$hashKey"):
            continue
        if key in simple:
            name, convert = simple[key]
            if convert(value) is not None:
                properties.append({"id": name, "value": convert(value)})
        elif key == "bars":
            properties.append({"id": "custom.drawStyle", "value": "bars" if value else "line"})
            properties += [{"id": "custom.fillOpacity", "value": 100}] if value else []
        elif key == "yaxis" and value == 2:  # drawn against the right axis, with that axis' settings
            properties.append({"id": "custom.axisPlacement", "value": "right"})
            y2 = _axis(yaxes[1] if len(yaxes) > 1 else None)
            properties += [{"id": name, "value": v} for name, v in y2.items() if name != "custom" and v != y1.get(name)]
            properties += [{"id": f"custom.{name}", "value": v} for name, v in y2.get("custom", {}).items()
                           if v != y1.get("custom", {}).get(name) and name != "axisPlacement"]
        elif key != "yaxis":
            untranslated.append(key)
    return {"matcher": _matcher(str(rule.get("alias", ""))), "properties": properties}, untranslated


LEGEND_TRANSLATED = {"show", "alignAsTable", "rightSide", "values", "sideWidth", "sort", "sortDesc", *SORT_NAMES}


def _legend(legend: dict[str, Any]) -> dict[str, Any]:
    """A graph's legend as the new one: list or table, right or bottom, the value columns as reducers."""
    shown = legend.get("show", True)
    found: dict[str, Any] = {"showLegend": bool(shown),
                             "displayMode": "table" if legend.get("alignAsTable") else "list",
                             "placement": "right" if legend.get("rightSide") else "bottom",
                             "calcs": [REDUCERS[k] for k, v in legend.items() if v and k in SORT_NAMES]
                             if legend.get("values") else []}
    if legend.get("sideWidth"):
        found["width"] = legend["sideWidth"]
    if legend.get("sort") in SORT_NAMES and legend.get("values"):
        found |= {"sortBy": SORT_NAMES[legend["sort"]], "sortDesc": bool(legend.get("sortDesc"))}
    return found


def _thresholds(old: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """Graph threshold lines/areas as steps, with the style that draws them."""
    colours = {"critical": "red", "warning": "orange"}
    ordered = sorted((t for t in old if number(t.get("value")) is not None), key=lambda t: number(t["value"]) or 0)
    steps: list[dict[str, Any]] = []
    for index, threshold in enumerate(ordered):
        colour = colours.get(threshold.get("colorMode", ""), threshold.get("fillColor") or threshold.get("lineColor")
                             or "red")
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if threshold.get("op", "gt") == "gt":
            steps.append({"color": colour, "value": number(threshold["value"])})
            continue
        if not steps:
            steps.append({"color": colour, "value": None})
        after = ("transparent" if following is None or following.get("op", "gt") == "gt" else
                 colours.get(following.get("colorMode", ""), following.get("fillColor") or "red"))
        steps.append({"color": after, "value": number(threshold["value"])})
    if steps and steps[0]["value"] is not None:
        steps.insert(0, {"color": "transparent", "value": None})
    fill, line = any(t.get("fill") for t in old), any(t.get("line") for t in old)
    return steps, "line+area" if fill and line else "area" if fill else "line"


def graph(old: dict[str, Any]) -> Translated:
    """graph -> timeseries (or, by x-axis mode, barchart/bargauge/histogram), as Grafana's flotToGraphOptions."""
    legend_rest = {k: v for k, v in (old.get("legend") or {}).items() if k not in LEGEND_TRANSLATED and v}
    axis_rest = {k: v for k, v in (old.get("xaxis") or {}).items() if k not in ("mode", "show") and v}
    used = {"yaxes"} | ({"legend"} if not legend_rest else set()) | ({"xaxis"} if not axis_rest else set())
    yaxes = old.get("yaxes") or []
    defaults = _axis(yaxes[0] if yaxes else None)
    legend = _legend(old.get("legend") or {})
    mode = (old.get("xaxis") or {}).get("mode", "time")
    if mode in ("series", "histogram"):
        values = (old.get("legend") or {}).get("values")
        kind = "histogram" if mode == "histogram" else "bargauge" if values else "barchart"
        defaults.pop("custom", None)
        return {"type": kind, "fieldConfig": {"defaults": defaults, "overrides": []},
                "options": {"legend": legend}}, used
    custom = defaults.setdefault("custom", {})
    used |= {"bars", "lines", "points", "pointradius", "linewidth", "fill", "fillGradient", "steppedLine", "stack",
             "percentage", "dashes", "dashLength", "spaceLength", "aliasColors", "thresholds"}
    custom["drawStyle"] = "bars" if old.get("bars") else "line" if old.get("lines", True) else "points"
    custom["showPoints"] = "always" if old.get("points") else "never" if custom["drawStyle"] != "points" else "auto"
    if old.get("points") and number(old.get("pointradius")) is not None:
        custom["pointSize"] = 2 + (number(old["pointradius"]) or 0) * 2
    custom["lineWidth"] = old.get("linewidth", 1)
    if old.get("dashes"):
        custom["lineStyle"] = {"fill": "dash", "dash": [old.get("dashLength", 10), old.get("spaceLength", 10)]}
    custom["fillOpacity"] = 100 if old.get("bars") else (number(old.get("fill")) or 0) * 10
    if (number(old.get("fillGradient")) or 0) > 0:
        custom |= {"gradientMode": "opacity", "fillOpacity": (number(old["fillGradient"]) or 0) * 10}
    if old.get("nullPointMode") in ("connected", "null", None):
        used.add("nullPointMode")
        custom["spanNulls"] = old.get("nullPointMode") == "connected"
    if old.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if old.get("stack"):
        custom["stacking"] = {"mode": "percent" if old.get("percentage") else "normal", "group": "A"}
    overrides = _colour_overrides(old.get("aliasColors") or {})
    untranslated = []
    for rule in old.get("seriesOverrides") or []:
        if isinstance(rule, dict) and rule.get("alias"):
            override, missed = _override(rule, yaxes, defaults)
            overrides += [override] if override["properties"] else []
            untranslated += missed
    if not untranslated:
        used.add("seriesOverrides")
    if old.get("thresholds"):
        defaults["thresholds"], style = _thresholds(old["thresholds"])
        defaults["thresholds"] = {"mode": "absolute", "steps": defaults["thresholds"]}
        custom["thresholdsStyle"] = {"mode": style}
    if (old.get("xaxis") or {}).get("show") is False:
        overrides.append({"matcher": {"id": "byType", "options": "time"},
                          "properties": [{"id": "custom.axisPlacement", "value": "hidden"}]})
    tooltip = old.get("tooltip") or {}
    if tooltip.get("value_type", "individual") == "individual" or not old.get("stack"):
        used.add("tooltip")  # cumulative values differ only when stacked; msResolution has no successor anywhere
    sort = {1: "asc", 2: "desc"}.get(tooltip.get("sort", 0), "none") if tooltip.get("shared") else "none"
    options = {"legend": legend, "tooltip": {"mode": "multi" if tooltip.get("shared") else "single", "sort": sort}}
    return {"type": "timeseries", "fieldConfig": {"defaults": defaults, "overrides": overrides},
            "options": options}, used


def _value_mappings(old: dict[str, Any]) -> list[dict[str, Any]]:
    """Old singlestat/table value and range maps as mappings."""
    values = {str(m["value"]): {"text": m.get("text", ""), "index": i}
              for i, m in enumerate(old.get("valueMaps") or []) if m.get("value") not in (None, "null")}
    ranges = [{"type": "range", "options": {"from": number(m.get("from")), "to": number(m.get("to")),
                                            "result": {"text": m.get("text", ""), "index": len(values) + i}}}
              for i, m in enumerate(old.get("rangeMaps") or []) if m.get("from") is not None]
    chosen = old.get("mappingType", 1)
    nulls = [{"type": "special", "options": {"match": "null", "result": {"text": m.get("text", ""), "index": 0}}}
             for m in old.get("valueMaps") or [] if m.get("value") == "null"]
    if chosen == 2:
        return ranges
    return ([{"type": "value", "options": values}] if values else []) + nulls[:1]


def _steps(levels: str, colours: list[str]) -> list[dict[str, Any]]:
    values = [number(v) for v in str(levels).split(",") if v.strip()]
    return [{"color": colour, "value": None if i == 0 else values[i - 1] if i - 1 < len(values) else None}
            for i, colour in enumerate(colours)]


def singlestat(old: dict[str, Any]) -> Translated:
    """singlestat -> stat, as Grafana's sharedSingleStatPanelChangedHandler and statPanelChangedHandler."""
    used = {"valueName", "format", "decimals", "thresholds", "colors", "colorBackground", "colorValue", "sparkline",
            "tableColumn", "nullText", "valueMaps", "rangeMaps", "mappingType", "mappingTypes", "gauge"}
    reduce: dict[str, Any] = {"calcs": [REDUCERS.get(old.get("valueName", "avg"), "mean")], "fields": "",
                              "values": False}
    if old.get("tableColumn"):
        reduce["fields"] = f"/^{old['tableColumn']}$/"
    colour = "background" if old.get("colorBackground") else "value" if old.get("colorValue") else "none"
    options = {"reduceOptions": reduce, "orientation": "horizontal", "colorMode": colour,
               "graphMode": "area" if (old.get("sparkline") or {}).get("show") else "none",
               "textMode": "name" if old.get("valueName") == "name" and colour == "none" else "auto",
               "justifyMode": "auto"}
    defaults = _present({"unit": old.get("format"), "decimals": number(old.get("decimals")),
                         "noValue": old.get("nullText") or None})
    if old.get("thresholds") and old.get("colors"):
        defaults["thresholds"] = {"mode": "absolute", "steps": _steps(old["thresholds"], old["colors"])}
    mappings = _value_mappings(old)
    if mappings:
        defaults["mappings"] = mappings
    gauge = old.get("gauge") or {}
    if gauge.get("show"):
        defaults |= _present({"min": number(gauge.get("minValue")), "max": number(gauge.get("maxValue"))})
    if old.get("nullPointMode") in ("connected", "null", None):
        used.add("nullPointMode")
    return {"type": "stat", "fieldConfig": {"defaults": defaults, "overrides": []}, "options": options}, used


def piechart(old: dict[str, Any]) -> Translated:
    """The grafana-piechart-panel plugin -> piechart, as Grafana's PieChartPanelChangedHandler."""
    used = {"valueName", "pieType", "legendType", "legend", "format", "decimals", "aliasColors"}
    legend = old.get("legend") or {}
    values = (["value"] if legend.get("values") else []) + (["percent"] if legend.get("percentage") else [])
    options: dict[str, Any] = {
        "reduceOptions": {"calcs": [REDUCERS.get(old.get("valueName", "current"), "lastNotNull")], "fields": "",
                          "values": False},
        "pieType": "donut" if old.get("pieType") == "donut" else "pie",
        "legend": {"showLegend": legend.get("show", True) and old.get("legendType") != "On graph",
                   "displayMode": "table" if values else "list",
                   "placement": "bottom" if old.get("legendType") == "Under graph" else "right",
                   "values": values, "calcs": []},
        "displayLabels": ["name", *values] if old.get("legendType") == "On graph" else [],
    }
    defaults = _present({"unit": old.get("format"), "decimals": number(old.get("decimals")) or 0})
    return {"type": "piechart", "fieldConfig": {"defaults": defaults,
                                                "overrides": _colour_overrides(old.get("aliasColors") or {})},
            "options": options}, used


TABLE_TRANSFORMS = {"timeseries_to_rows": "seriesToRows", "timeseries_to_columns": "seriesToColumns",
                    "timeseries_aggregations": "reduce", "table": "merge"}


COLOUR_MODES = {"cell": "color-background", "row": "color-background", "value": "color-text"}
STYLE_TRANSLATED = {"pattern", "alias", "unit", "decimals", "type", "dateFormat", "align", "colorMode", "colors",
                    "thresholds", "link", "linkUrl", "linkTooltip", "linkTargetBlank", "$$hashKey"}


def _style_steps(style: dict[str, Any]) -> dict[str, Any] | None:
    """A style's thresholds and colours as steps, as Grafana's generateThresholds: colours[i] from the i-th bound,
    the first from -Infinity."""
    bounds, colours = style.get("thresholds"), style.get("colors")
    if not isinstance(bounds, list) or not bounds or not isinstance(colours, list):
        return None
    values = [None, *(number(bound) for bound in bounds)]
    steps = [{"color": colours[i], "value": value} if i < len(colours) else {"value": value}
             for i, value in enumerate(values)]
    return {"mode": "absolute", "steps": steps}


def _style_properties(style: dict[str, Any]) -> list[dict[str, Any]]:
    """An old column style as override properties, in the order of Grafana's migrateTableStyleToOverride
    (public/app/plugins/panel/table/migrations.ts)."""
    found: list[tuple[str, Any]] = [("displayName", style.get("alias") or None), ("unit", style.get("unit") or None),
                                    ("decimals", number(style.get("decimals")) or None)]
    if style.get("type") == "date":
        found.append(("unit", f"time: {style.get('dateFormat', 'YYYY-MM-DD HH:mm:ss')}"))
    if style.get("type") == "hidden":
        found.append(("custom.hidden", True))
    if style.get("link"):
        found.append(("links", [{"title": str(style.get("linkTooltip") or ""), "url": str(style.get("linkUrl") or ""),
                                 "targetBlank": bool(style.get("linkTargetBlank"))}]))
    if style.get("colorMode") in COLOUR_MODES:
        found.append(("custom.cellOptions", {"type": COLOUR_MODES[style["colorMode"]]}))
    if style.get("align") not in (None, "", "auto"):
        found.append(("custom.align", style["align"]))
    found.append(("thresholds", _style_steps(style)))
    return [{"id": key, "value": value} for key, value in found if value is not None]


def _style_defaults(style: dict[str, Any]) -> dict[str, Any]:
    """The catch-all style (pattern /.*/) as field defaults, as Grafana's migrateDefaults; a hidden type, which
    Grafana's migration drops (every column then shows), hides the columns no other style names."""
    custom: dict[str, Any] = {}
    if style.get("align") not in (None, "", "auto"):
        custom["align"] = style["align"]
    if style.get("colorMode") in COLOUR_MODES:
        custom["cellOptions"] = {"type": COLOUR_MODES[style["colorMode"]]}
    if style.get("type") == "hidden":
        custom["hidden"] = True
    defaults = _present({"unit": style.get("unit") or None, "decimals": number(style.get("decimals")),
                         "displayName": style.get("alias") or None, "thresholds": _style_steps(style)})
    return defaults | ({"custom": custom} if custom else {})


def table(old: dict[str, Any]) -> Translated:
    """The old (angular) table -> table, as Grafana's tablePanelChangedHandler (public/app/plugins/panel/table/
    migrations.ts; backend apps/dashboard/pkg/migration/schemaversion/v24.go): transforms, column styles."""
    used = {"transform", "columns", "styles", "showHeader"}
    transformations = [t for t in old.get("transformations") or [] if isinstance(t, dict)]
    if old.get("transform") in TABLE_TRANSFORMS:
        options: dict[str, Any] = {"reducers": []}
        if old["transform"] == "timeseries_aggregations":
            options = {"reducers": [REDUCERS[str(c.get("value"))] for c in old.get("columns") or []
                                    if isinstance(c, dict) and c.get("value") in REDUCERS],
                       "includeTimeField": False}
        transformations.append({"id": TABLE_TRANSFORMS[old["transform"]], "options": options})
    elif old.get("transform"):
        used.discard("transform")
    styles = [style for style in old.get("styles") or [] if isinstance(style, dict)]
    catch_all = next((style for style in styles if style.get("pattern") == "/.*/"), None)
    defaults = _style_defaults(catch_all) if catch_all else {}
    overrides = []
    for style in styles:
        if any(value not in (None, "", [], False) for key, value in style.items() if key not in STYLE_TRANSLATED):
            used.discard("styles")  # value maps, sanitize...: Grafana's migration drops them; kept verbatim, noted
        properties = _style_properties(style)
        if defaults.get("custom", {}).get("hidden") and style.get("type") != "hidden":
            properties.append({"id": "custom.hidden", "value": False})  # named columns showed in the old table
        if style is not catch_all and properties:
            pattern = str(style.get("pattern", ""))
            regexp = len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/")
            overrides.append({"matcher": {"id": "byRegexp" if regexp else "byName", "options": pattern},
                              "properties": properties})
    new: dict[str, Any] = {"type": "table", "fieldConfig": {"defaults": defaults, "overrides": overrides},
                           "options": {"showHeader": old.get("showHeader", True)}}
    if transformations:
        new["transformations"] = transformations
    return new, used


def heatmap(old: dict[str, Any]) -> Translated:
    """The old (angular) heatmap -> heatmap, as Grafana's angularToReactHeatmap for the common settings."""
    used = {"dataFormat", "yAxis", "xAxis", "yBucketBound", "color", "cards", "hideZeroBuckets", "highlightCards",
            "legend", "tooltip", "reverseYBuckets", "xBucketSize", "xBucketNumber", "yBucketSize", "yBucketNumber",
            "heatmap"}
    axis, colour, cards = old.get("yAxis") or {}, old.get("color") or {}, old.get("cards") or {}
    options: dict[str, Any] = {
        "calculate": old.get("dataFormat", "timeseries") != "tsbuckets",
        "yAxis": _present({"unit": axis.get("format"), "decimals": number(axis.get("decimals")),
                           "min": number(axis.get("min")), "max": number(axis.get("max")),
                           "axisPlacement": "left" if axis.get("show", True) else "hidden",
                           "reverse": bool(old.get("reverseYBuckets"))}),
        "rowsFrame": {"layout": {"upper": "le", "lower": "ge", "middle": "unknown"}.get(old.get("yBucketBound", ""),
                                                                                        "auto")},
        "color": _present({"mode": "opacity" if colour.get("mode") == "opacity" else "scheme",
                           "scheme": str(colour.get("colorScheme", "interpolateOranges")).removeprefix("interpolate"),
                           "fill": colour.get("cardColor"), "exponent": colour.get("exponent", 0.5),
                           "scale": "exponential" if colour.get("colorScale", "sqrt") == "sqrt" else "linear",
                           "min": number(colour.get("min")), "max": number(colour.get("max")), "steps": 64,
                           "reverse": False}),
        "cellGap": number(cards.get("cardPadding")) if cards.get("cardPadding") is not None else 1,
        "legend": {"show": bool((old.get("legend") or {}).get("show"))},
        "tooltip": {"mode": "single" if (old.get("tooltip") or {}).get("show", True) else "none",
                    "yHistogram": bool((old.get("tooltip") or {}).get("showHistogram"))},
    }
    if cards.get("cardRound"):
        options["cellRadius"] = cards["cardRound"]
    if old.get("hideZeroBuckets"):
        options["filterValues"] = {"le": 1e-9}
    if options["calculate"]:
        buckets = {"xBuckets": _present({"mode": "size" if old.get("xBucketSize") else "count" if
                                         old.get("xBucketNumber") else None,
                                         "value": str(old.get("xBucketSize") or old.get("xBucketNumber") or "")
                                         or None}),
                   "yBuckets": _present({"mode": "size" if old.get("yBucketSize") else "count" if
                                         old.get("yBucketNumber") else None,
                                         "value": str(old.get("yBucketSize") or old.get("yBucketNumber") or "")
                                         or None})}
        options["calculation"] = {key: value for key, value in buckets.items() if value}
    defaults = _present({"unit": axis.get("format"), "decimals": number(axis.get("decimals"))})
    return {"type": "heatmap", "fieldConfig": {"defaults": defaults, "overrides": []}, "options": options}, used


def is_old_heatmap(panel: dict[str, Any]) -> bool:
    """Whether a heatmap panel is the angular one (its settings at the top level, no options.calculate)."""
    return panel.get("type") == "heatmap" and "calculate" not in (panel.get("options") or {}) and bool(
        {"dataFormat", "cards", "yBucketBound", "yAxis"} & set(panel))


def is_old_table(panel: dict[str, Any], schema_version: int) -> bool:
    """Whether a table panel is the angular one (column styles, or written before schema 24)."""
    return panel.get("type") == "table-old" or (panel.get("type") == "table" and (
        "styles" in panel or "transform" in panel or (schema_version < 24 and "fieldConfig" not in panel)))


SUCCESSORS: dict[str, Callable[[dict[str, Any]], Translated]] = {
    "graph": graph, "graphite": graph, "singlestat": singlestat, "grafana-singlestat-panel": singlestat,
    "grafana-piechart-panel": piechart, "table-old": table,
}
