"""The graph panel Grafana removed, translated into timeseries (or, by x-axis mode, barchart, bargauge or
histogram) as Grafana's flotToGraphOptions does: axes, legend, series overrides, threshold lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from generator.interop.grafana_old_values import REDUCERS, Translated, colour_overrides, number, present

SORT_NAMES = {"avg": "Mean", "current": "Last *", "max": "Max", "min": "Min", "total": "Total"}
REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)$")


def _matcher(alias: str) -> dict[str, Any]:
    return {"id": "byRegexp" if REGEX_ALIAS.match(alias) else "byName", "options": alias}


def _axis(axis: dict[str, Any] | None) -> dict[str, Any]:
    """Field defaults from an old y axis: unit, decimals, min, max, label, placement, log scale."""
    if not axis:
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if axis.get("show", True) else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if axis.get("logBase") in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
    return present({"unit": axis.get("format"), "decimals": number(axis.get("decimals")),
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
    overrides = colour_overrides(old.get("aliasColors") or {})
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
