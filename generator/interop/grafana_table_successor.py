"""The old (angular) table panel, translated into the current table as Grafana's tablePanelChangedHandler
does: its transform as a transformation, its column styles as field defaults and overrides."""

from __future__ import annotations

from typing import Any

from generator.interop.grafana_old_values import REDUCERS, Translated, number, present

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
    defaults = present({"unit": style.get("unit") or None, "decimals": number(style.get("decimals")),
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


def is_old_table(panel: dict[str, Any], schema_version: int) -> bool:
    """Whether a table panel is the angular one (column styles, or written before schema 24)."""
    return panel.get("type") == "table-old" or (panel.get("type") == "table" and (
        "styles" in panel or "transform" in panel or (schema_version < 24 and "fieldConfig" not in panel)))
