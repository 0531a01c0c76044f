"""Grafana dashboards compared by what a viewer sees: dashboards, and each panel's queries, unit, thresholds, place.

Works on the dashboard JSON under grafana/dashboards/ (Grafana's own schema), so it needs nothing
from the model that wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from generator.analysis.diff.changes import Change, OutTree, Table, compare_keyed, numbered
from generator.core.dashboard_variables import template_variables
from generator.model import conventions

DASHBOARDS_DIR = conventions.DASHBOARDS_DIR + "/"
TEXT = "text"
"""A text panel's Markdown: what it says is what a viewer sees (the alerts table, a how-to)."""
_DASHBOARD_FIELDS = ("title", "description", "refresh", "tags", "time", "graphTooltip")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _thresholds(defaults: dict[str, Any]) -> str:
    steps = (defaults.get("thresholds") or {}).get("steps") or ()
    return ", ".join(f"{s.get('color')}" + ("" if s.get("value") is None else f" from {s['value']:g}") for s in steps)


def panel_fields(panel: dict[str, Any], row: str) -> dict[str, str]:
    """What a viewer sees of a panel: kind, queries by refId, text, unit, range, thresholds, position, row."""
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    grid = panel.get("gridPos") or {}
    fields = {
        "type": str(panel.get("type", "")),
        "description": str(panel.get("description", "")),
        "row": row,
        "unit": str(defaults.get("unit", "")),
        "min": _text(defaults.get("min")),
        "max": _text(defaults.get("max")),
        "thresholds": _thresholds(defaults),
        "position": f"x={grid.get('x')} y={grid.get('y')} w={grid.get('w')} h={grid.get('h')}" if grid else "",
    }
    if panel.get("type") == "text":
        fields[TEXT] = str((panel.get("options") or {}).get("content", ""))
    for target in panel.get("targets") or ():
        ref = target.get("refId", "?")
        fields[f"query {ref}"] = str(target.get("expr", target.get("query", "")))
        if target.get("legendFormat"):
            fields[f"legend {ref}"] = str(target["legendFormat"])
    return fields


def _panels(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row title, panel) of every panel, those folded into collapsed rows included."""
    row = ""
    for panel in dashboard.get("panels") or ():
        if panel.get("type") == "row":
            row = str(panel.get("title", ""))
            for inner in panel.get("panels") or ():
                yield row, inner
        else:
            yield row, panel


def _dashboards(tree: OutTree) -> dict[str, tuple[str, dict[str, Any]]]:
    found = {}
    for path in tree.paths(DASHBOARDS_DIR, ".json"):
        document = tree.document(path) or {}
        dashboard = document.get("dashboard", document)  # API envelopes wrap it
        found[str(dashboard.get("title") or dashboard.get("uid") or path)] = (path, dashboard)
    return found


def compare_dashboards(base: OutTree, head: OutTree) -> list[Change]:
    """Dashboards added, removed, moved or retitled, or changed in their own settings and variables."""
    def table(tree: OutTree) -> Table:
        result = {}
        for title, (path, dashboard) in _dashboards(tree).items():
            fields = {name: _text(dashboard.get(name)) for name in _DASHBOARD_FIELDS}
            fields["file"] = path
            for variable in template_variables(dashboard):
                fields[f"variable {variable.get('name')}"] = _text(variable.get("query"))
            result[title] = (path, fields)
        return result

    return compare_keyed("dashboards", table(base), table(head))


def compare_panels(base: OutTree, head: OutTree) -> list[Change]:
    """Panels added, removed or changed, keyed "dashboard / panel title" ("#n" when titles repeat)."""
    def table(tree: OutTree) -> Table:
        return numbered([(f"{title} / {panel.get('title', '')}", path, panel_fields(panel, row))
                         for title, (path, dashboard) in _dashboards(tree).items()
                         for row, panel in _panels(dashboard)])

    return compare_keyed("panels", table(base), table(head))


def _keyed_panels(dashboard: dict[str, Any] | None) -> dict[str, tuple[str, dict[str, str]]]:
    return numbered([(str(panel.get("title", "")), str(panel.get("id")), panel_fields(panel, row))
                     for row, panel in _panels(dashboard or {})])


def changed_panel_ids(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    """Ids of the panels a picture outlines: changed or removed in the old dashboard, changed or added in the new."""
    old, new = _keyed_panels(before), _keyed_panels(after)
    differ = {title for title in old.keys() & new.keys() if old[title][1] != new[title][1]}
    return ({old[t][0] for t in differ | (old.keys() - new.keys())},
            {new[t][0] for t in differ | (new.keys() - old.keys())})


def changed_dashboards(base: OutTree, head: OutTree) -> list[str]:
    """Paths of the dashboard files that differ (added and removed ones included)."""
    paths = set(base.paths(DASHBOARDS_DIR, ".json")) | set(head.paths(DASHBOARDS_DIR, ".json"))
    return sorted(path for path in paths if base.files.get(path) != head.files.get(path))
