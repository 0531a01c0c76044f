"""Panel types Grafana removed, translated into their successors the way Grafana's own migrations do.

Each translator takes the old panel and returns the successor's settings (type, fieldConfig, options,
transformations) and the old keys it translated. Keys it did not translate are the caller's concern:
dropped when they hold the old default, kept verbatim otherwise. Here: which translator serves which old
panel, and those of singlestat, the piechart plugin and the old heatmap; the graph's and the old table's,
the larger two, have modules of their own (grafana_graph_successor, grafana_table_successor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.interop.grafana_graph_successor import graph
from generator.interop.grafana_old_values import REDUCERS, Translated, colour_overrides, number, present
from generator.interop.grafana_table_successor import table


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
    defaults = present({"unit": old.get("format"), "decimals": number(old.get("decimals")),
                        "noValue": old.get("nullText") or None})
    if old.get("thresholds") and old.get("colors"):
        defaults["thresholds"] = {"mode": "absolute", "steps": _steps(old["thresholds"], old["colors"])}
    mappings = _value_mappings(old)
    if mappings:
        defaults["mappings"] = mappings
    gauge = old.get("gauge") or {}
    if gauge.get("show"):
        defaults |= present({"min": number(gauge.get("minValue")), "max": number(gauge.get("maxValue"))})
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
    defaults = present({"unit": old.get("format"), "decimals": number(old.get("decimals")) or 0})
    return {"type": "piechart", "fieldConfig": {"defaults": defaults,
                                                "overrides": colour_overrides(old.get("aliasColors") or {})},
            "options": options}, used

def heatmap(old: dict[str, Any]) -> Translated:
    """The old (angular) heatmap -> heatmap, as Grafana's angularToReactHeatmap for the common settings."""
    used = {"dataFormat", "yAxis", "xAxis", "yBucketBound", "color", "cards", "hideZeroBuckets", "highlightCards",
            "legend", "tooltip", "reverseYBuckets", "xBucketSize", "xBucketNumber", "yBucketSize", "yBucketNumber",
            "heatmap"}
    axis, colour, cards = old.get("yAxis") or {}, old.get("color") or {}, old.get("cards") or {}
    options: dict[str, Any] = {
        "calculate": old.get("dataFormat", "timeseries") != "tsbuckets",
        "yAxis": present({"unit": axis.get("format"), "decimals": number(axis.get("decimals")),
                          "min": number(axis.get("min")), "max": number(axis.get("max")),
                          "axisPlacement": "left" if axis.get("show", True) else "hidden",
                          "reverse": bool(old.get("reverseYBuckets"))}),
        "rowsFrame": {"layout": {"upper": "le", "lower": "ge", "middle": "unknown"}.get(old.get("yBucketBound", ""),
                                                                                        "auto")},
        "color": present({"mode": "opacity" if colour.get("mode") == "opacity" else "scheme",
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
        buckets = {"xBuckets": present({"mode": "size" if old.get("xBucketSize") else "count" if
                                        old.get("xBucketNumber") else None,
                                        "value": str(old.get("xBucketSize") or old.get("xBucketNumber") or "")
                                        or None}),
                   "yBuckets": present({"mode": "size" if old.get("yBucketSize") else "count" if
                                        old.get("yBucketNumber") else None,
                                        "value": str(old.get("yBucketSize") or old.get("yBucketNumber") or "")
                                        or None})}
        options["calculation"] = {key: value for key, value in buckets.items() if value}
    defaults = present({"unit": axis.get("format"), "decimals": number(axis.get("decimals"))})
    return {"type": "heatmap", "fieldConfig": {"defaults": defaults, "overrides": []}, "options": options}, used


def is_old_heatmap(panel: dict[str, Any]) -> bool:
    """Whether a heatmap panel is the angular one (its settings at the top level, no options.calculate)."""
    return panel.get("type") == "heatmap" and "calculate" not in (panel.get("options") or {}) and bool(
        {"dataFormat", "cards", "yBucketBound", "yAxis"} & set(panel))


SUCCESSORS: dict[str, Callable[[dict[str, Any]], Translated]] = {
    "graph": graph, "graphite": graph, "singlestat": singlestat, "grafana-singlestat-panel": singlestat,
    "grafana-piechart-panel": piechart, "table-old": table,
}
