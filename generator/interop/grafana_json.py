"""Classic Grafana dashboard JSON (any schema version grafanalib or old exports write) -> obsgen's model.

Upgrading means: old panel types become current ones (graph -> timeseries, singlestat -> stat), data
source names become the ${datasource} variable, positions are dropped (the layout places panels again,
keeping their sizes), and y-axis formats become units.
"""

from __future__ import annotations

from typing import Any

from generator.errors import DefinitionError, Location
from generator.model import (
    CustomVariable,
    Dashboard,
    DatasourceVariable,
    Link,
    Panel,
    Query,
    QueryVariable,
    Row,
    Threshold,
)
from generator.model.dashboards import Variable
from generator.model.panels import MAX_WIDTH, PanelKind

KINDS = {
    "graph": PanelKind.TIMESERIES, "timeseries": PanelKind.TIMESERIES, "singlestat": PanelKind.STAT,
    "stat": PanelKind.STAT, "gauge": PanelKind.GAUGE, "bargauge": PanelKind.BARCHART, "barchart": PanelKind.BARCHART,
    "heatmap": PanelKind.HEATMAP, "table": PanelKind.TABLE, "table-old": PanelKind.TABLE, "text": PanelKind.TEXT,
    "state-timeline": PanelKind.STATE_TIMELINE, "status-history": PanelKind.STATE_TIMELINE,
}


def _unit(panel: dict[str, Any], defaults: dict[str, Any]) -> str:
    axes = panel.get("yaxes") or [{}]
    return str(defaults.get("unit") or panel.get("format") or axes[0].get("format") or "")


def _queries(panel: dict[str, Any]) -> tuple[Query, ...]:
    return tuple(
        Query(expr=t["expr"], legend=t.get("legendFormat") or "", instant=bool(t.get("instant")),
              format=t.get("format") if t.get("format") in ("table", "heatmap") else "time_series")
        for t in panel.get("targets") or [] if t.get("expr") and not t.get("hide"))


def _panel(panel: dict[str, Any], location: Location) -> Panel:
    kind = KINDS.get(str(panel.get("type")))
    if kind is None:
        raise DefinitionError(location, f"panel {panel.get('title')!r}: type {panel.get('type')!r} has no "
                              f"current equivalent obsgen knows ({', '.join(sorted(KINDS))})")
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    steps = ((defaults.get("thresholds") or {}).get("steps")) or []
    grid = panel.get("gridPos") or {}
    width = grid.get("w") or (2 * panel["span"] if panel.get("span") else None)
    converted = Panel(
        title=panel.get("title") or "", kind=kind, description=panel.get("description") or "",
        queries=_queries(panel), unit=_unit(panel, defaults), decimals=defaults.get("decimals"),
        min=defaults.get("min"), max=defaults.get("max"),
        thresholds=tuple(Threshold(value=s.get("value"), color=s["color"]) for s in steps if isinstance(s, dict)),
        content=(panel.get("options") or {}).get("content") or panel.get("content") or "",
        width=min(width, MAX_WIDTH) if width else None, height=grid.get("h") or None,
        time_range=str(panel["timeFrom"]).removeprefix("now-") if panel.get("timeFrom") else None,
        links=tuple(Link(title=link["title"], url=link["url"]) for link in panel.get("links") or []
                    if link.get("url")),
    )
    converted._location = location
    return converted


def _sections(data: dict[str, Any], location: Location) -> tuple[tuple[Panel, ...], tuple[Row, ...]]:
    """Top panels and rows, from the current flat list (row panels as headers) or the old `rows`."""
    if data.get("rows"):
        return (), tuple(Row(title=row.get("title") or f"Row {i + 1}", collapsed=bool(row.get("collapse")),
                             panels=tuple(_panel(p, location) for p in row.get("panels") or []))
                         for i, row in enumerate(data["rows"]) if row.get("panels"))
    top: list[Panel] = []
    rows: list[tuple[dict[str, Any], list[Panel]]] = []
    for item in sorted(data.get("panels") or [], key=lambda p: (p.get("gridPos", {}).get("y", 0),
                                                                 p.get("gridPos", {}).get("x", 0))):
        if item.get("type") == "row":
            rows.append((item, [_panel(p, location) for p in item.get("panels") or []]))
        else:
            (rows[-1][1] if rows else top).append(_panel(item, location))
    return tuple(top), tuple(Row(title=r.get("title") or "Row", collapsed=bool(r.get("collapsed")), panels=tuple(p))
                             for r, p in rows if p)


def _variable(variable: dict[str, Any], location: Location) -> Variable:
    kind, name = variable.get("type"), variable["name"]
    label = variable.get("label") or ""
    if kind == "datasource":
        return DatasourceVariable(name=name, label=label or "Data source")
    query = variable.get("query")
    query = query.get("query", "") if isinstance(query, dict) else str(query or "")
    if kind == "query":
        return QueryVariable(name=name, label=label, query=query, multi=bool(variable.get("multi")),
                             include_all=bool(variable.get("includeAll")),
                             all_value=variable.get("allValue") or ".*", regex=variable.get("regex") or "")
    if kind == "custom":
        return CustomVariable(name=name, label=label, options=tuple(o.strip() for o in query.split(",") if o.strip()),
                              multi=bool(variable.get("multi")))
    raise DefinitionError(location, f"variable {name!r}: type {kind!r} is not supported (datasource, query, custom)")


def from_grafana_json(data: dict[str, Any], location: Location, folder: str = "General") -> Dashboard:
    """The model of a classic Grafana dashboard, ready to be laid out, linted and emitted at schemaVersion 42."""
    title = str(data.get("title") or "")
    top, rows = _sections(data, location)
    refresh = data.get("refresh") or None
    dashboard = Dashboard(
        name=title, description=data.get("description") or f"{title} (converted from classic Grafana JSON)",
        folder=folder, tags=tuple(data.get("tags") or ()), refresh=refresh,
        time_range=str((data.get("time") or {}).get("from", "now-6h")).removeprefix("now-"),
        variables=tuple(_variable(v, location) for v in (data.get("templating") or {}).get("list") or []),
        panels=top, rows=rows,
        links=tuple(Link(title=link["title"], url=link["url"]) for link in data.get("links") or [] if link.get("url")),
    )
    dashboard._location = location
    return dashboard
