"""Dashboard JSON as found in the wild brought to the shapes the readers expect, the way Grafana reads it.

Grafana's frontend is lenient: an entry of the wrong type in a list of objects (a nested list among series
overrides, a string among panels) is skipped, "4" counts as 4, null is as good as absent. The readers
after this pass are strict, so this pass does what Grafana does with each oddity: numbers written as strings
are read as numbers, null is dropped, and a value of a type Grafana cannot use is left out with a note
naming its JSON path (`panels[3].seriesOverrides[0]`). Keys it does not know stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.interop.notes import Notes

Spec = dict[str, Any]  # key -> kind, or (kind, spec of the object / of each object in the list)
OBJ, OBJS, NUM, TEXT, LIST = "an object", "a list of objects", "a number", "a string", "a list"
TOPIC = "values Grafana cannot read as written, left out"

GRID: Spec = {"x": NUM, "y": NUM, "w": NUM, "h": NUM}
STEPS: Spec = {"steps": (OBJS, {"value": NUM, "color": TEXT})}
FIELD: Spec = {"unit": TEXT, "decimals": NUM, "min": NUM, "max": NUM, "thresholds": (OBJ, STEPS), "links": OBJS,
               "mappings": (OBJS, {"options": OBJ}), "custom": (OBJ, {"stacking": OBJ}), "color": OBJ}
FIELD_CONFIG: Spec = {"defaults": (OBJ, FIELD), "overrides": (OBJS, {"matcher": OBJ, "properties": OBJS})}
OPTIONS: Spec = {"legend": (OBJ, {"calcs": LIST}), "tooltip": OBJ, "reduceOptions": (OBJ, {"calcs": LIST}),
                 "content": TEXT, "yAxis": OBJ}
TARGET: Spec = {"expr": TEXT, "legendFormat": TEXT, "refId": TEXT, "format": TEXT}
LINK: Spec = {"url": TEXT, "title": TEXT, "params": TEXT, "dashUri": TEXT, "dashboard": TEXT}
PANEL: Spec = {"id": NUM, "type": TEXT, "title": TEXT, "description": TEXT, "gridPos": (OBJ, GRID), "span": NUM,
               "minSpan": NUM, "targets": (OBJS, TARGET), "fieldConfig": (OBJ, FIELD_CONFIG), "options": (OBJ, OPTIONS),
               "links": (OBJS, LINK), "transformations": OBJS, "timeFrom": TEXT}
BY_TYPE: dict[str, Spec] = {  # the old settings each retired panel type's translator reads
    "graph": {"legend": (OBJ, {"sort": TEXT, "sideWidth": NUM}), "xaxis": (OBJ, {"mode": TEXT}),
              "yaxes": (OBJS, {"format": TEXT, "label": TEXT}), "tooltip": (OBJ, {"sort": NUM, "value_type": TEXT}),
              "seriesOverrides": (OBJS, {"alias": TEXT, "transform": TEXT}), "aliasColors": OBJ,
              "thresholds": (OBJS, {"colorMode": TEXT, "op": TEXT}), "fill": NUM, "linewidth": NUM,
              "pointradius": NUM, "fillGradient": NUM, "nullPointMode": TEXT,
              "grid": (OBJ, {"threshold1": NUM, "threshold2": NUM, "threshold1Color": TEXT, "threshold2Color": TEXT})},
    "singlestat": {"valueMaps": OBJS, "rangeMaps": OBJS, "sparkline": OBJ, "gauge": OBJ, "thresholds": TEXT,
                   "colors": LIST, "decimals": NUM, "format": TEXT, "valueName": TEXT, "tableColumn": TEXT,
                   "nullPointMode": TEXT, "mappingType": NUM},
    "table": {"styles": (OBJS, {"pattern": TEXT, "thresholds": LIST, "colors": LIST, "decimals": NUM, "type": TEXT,
                                "unit": TEXT, "alias": TEXT, "align": TEXT, "colorMode": TEXT, "dateFormat": TEXT}),
              "columns": (OBJS, {"value": TEXT}), "transform": TEXT},
    "heatmap": {"cards": OBJ, "color": (OBJ, {"mode": TEXT, "colorScheme": TEXT, "colorScale": TEXT}),
                "yAxis": OBJ, "legend": OBJ, "tooltip": OBJ, "dataFormat": TEXT, "yBucketBound": TEXT},
    "grafana-piechart-panel": {"legend": OBJ, "aliasColors": OBJ, "valueName": TEXT, "pieType": TEXT,
                               "legendType": TEXT},
}
BY_TYPE |= {"graphite": BY_TYPE["graph"], "grafana-singlestat-panel": BY_TYPE["singlestat"],
            "table-old": BY_TYPE["table"]}
VARIABLE: Spec = {"name": TEXT, "type": TEXT, "label": TEXT, "regex": TEXT, "allValue": TEXT, "current": OBJ,
                  "options": OBJS}
DASHBOARD: Spec = {"title": TEXT, "uid": TEXT, "description": TEXT, "schemaVersion": NUM, "tags": LIST, "time": OBJ,
                   "timepicker": OBJ, "links": (OBJS, LINK), "__inputs": OBJS, "templating": (OBJ, {"list": (
                       OBJS, VARIABLE)}), "annotations": (OBJ, {"list": OBJS})}


def _number(value: Any) -> int | float | None:
    if isinstance(value, str):
        try:
            parsed = float(value.strip().removesuffix("px"))
        except ValueError:
            return None
        return int(parsed) if parsed.is_integer() else parsed if parsed == parsed and abs(parsed) != float("inf") \
            else None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class Shaper:
    """Applies specs to one dashboard, noting what it leaves out."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes

    def _wrong(self, path: str, kind: str, value: Any) -> tuple[bool, Any]:
        """Leave a value out, noting where it was and what it should have been."""
        self.notes.add(TOPIC, f"{path} (expected {kind}, got {type(value).__name__})", at=path)
        return False, None

    def _value(self, value: Any, kind: str, spec: Spec | Callable[[dict[str, Any], str], dict[str, Any]] | None,
               path: str) -> tuple[bool, Any]:
        """(keep, value) of one value of a kind."""
        if kind == NUM:
            number = _number(value)
            return (True, number) if number is not None else self._wrong(path, kind, value)
        if kind == TEXT:
            if isinstance(value, str):
                return True, value
            return (True, str(value)) if _number(value) is not None else self._wrong(path, kind, value)
        if kind == LIST:
            return (True, value) if isinstance(value, list) else self._wrong(path, kind, value)
        if kind == OBJ:
            return (True, self._apply(value, spec, path)) if isinstance(value, dict) else self._wrong(path, kind, value)
        if not isinstance(value, list):
            return self._wrong(path, kind, value)
        kept, indices = [], []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                kept.append(self._apply(item, spec, f"{path}[{index}]"))
                indices.append(index)
            else:
                self._wrong(f"{path}[{index}]", "an object", item)
        if len(indices) < len(value):  # the readers' indices after the first left out are not the file's
            self.notes.kept[path] = indices
        return True, kept

    def _apply(self, document: dict[str, Any], spec: Spec | Callable[[dict[str, Any], str], dict[str, Any]] | None,
               path: str) -> dict[str, Any]:
        if spec is None:
            return document
        if callable(spec):
            return spec(document, path)
        shaped = {}
        for key, value in document.items():
            if key not in spec:
                shaped[key] = value
                continue
            if value is None:
                continue  # as good as absent
            kind, inner = spec[key] if isinstance(spec[key], tuple) else (spec[key], None)
            keep, found = self._value(value, kind, inner, f"{path}.{key}" if path else key)
            if keep:
                shaped[key] = found
        return shaped

    def panel(self, panel: dict[str, Any], path: str) -> dict[str, Any]:
        """One panel, its nested panels (collapsed rows) included, with the old settings its type reads."""
        spec = PANEL | BY_TYPE.get(str(panel.get("type")), {}) | {"panels": (OBJS, self.panel)}
        return self._apply(panel, spec, path)

    def row(self, row: dict[str, Any], path: str) -> dict[str, Any]:
        """An old-style row (schema < 16)."""
        return self._apply(row, {"title": TEXT, "panels": (OBJS, self.panel)}, path)

    def dashboard(self, dashboard: dict[str, Any]) -> dict[str, Any]:
        """The dashboard in the shapes the readers expect."""
        return self._apply(dashboard, DASHBOARD | {"panels": (OBJS, self.panel), "rows": (OBJS, self.row)}, "")


def shaped(dashboard: dict[str, Any], notes: Notes) -> dict[str, Any]:
    """A dashboard with every value the readers use of the type they expect (see the module's docstring); from then
    on, `notes` reads a JSON path with the indices of the lists as shaped (Notes.kept)."""
    shaped_dashboard = Shaper(notes).dashboard(dashboard)
    notes.shaped = True
    return shaped_dashboard
