"""Grafana panels and rows (current shape) read into the model; what the model cannot say is kept verbatim.

A panel's queries are modelled when they read Prometheus and parse (the loader then checks every series
they read); otherwise the panel keeps its targets verbatim. A panel type the model has no kind for keeps
its type and settings verbatim too. Titles must be unique per dashboard (panel ids derive from them):
repeated or empty ones are renamed in the definitions and still shown as they were.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.core.dashboard_variables import template_variables
from generator.core.duration import parse_seconds
from generator.core.grafana_promql import PARSE_BUILTINS, UnknownVariable, interpolate
from generator.core.promql import PromQLError, check_syntax
from generator.core.verbatim import merge, residual, without
from generator.derive.dashboards import values_of, variable_expr
from generator.derive.layout import Box
from generator.interop.grafana_defaults import loaded_panel, loaded_target
from generator.interop.notes import Notes
from generator.model import Link, Panel, PanelKind, Query, Row
from generator.model.dashboards import Variable
from generator.model.identity import panel_id
from generator.model.panels import MAX_WIDTH
from generator.targets.grafana_panels import data_link_json, panel_json, row_json, target_json

KINDS = {kind.value: kind for kind in PanelKind}
LEGENDS = {PanelKind.TIMESERIES, PanelKind.BARCHART, PanelKind.STATE_TIMELINE, PanelKind.PIE_CHART}
VARIABLE_REF = re.compile(r"^\$\{?([A-Za-z_]\w*)(?::[^}]*)?\}?$|^\[\[([A-Za-z_]\w*)\]\]$")
PANEL_OWNED = frozenset({"id", "gridPos", "title", "panels", "collapsed"})
PANEL_DEFAULTS = {"transparent": False, "hideTimeOverride": False}  # Grafana's own, as written by some tools
ROW_OWNED = frozenset({"id", "gridPos", "type", "title", "collapsed", "panels"})
TARGET_OWNED = frozenset({"expr", "datasource"})
# Fields a panel can do without, in the order they go when the model rejects the panel as a whole.
SETTINGS = ("thresholds", "min", "max", "value_texts", "legend", "content", "links", "time_range", "unit", "decimals",
            "stacked", "width", "height")
MAX_HEIGHT = 60
# Where a panel's model field is written in its JSON (Panel's fields -> the key; the panel's own line for the rest).
PANEL_KEYS = {"title": "title", "kind": "type", "description": "description", "queries": "targets", "width": "gridPos",
              "height": "gridPos", "links": "links", "time_range": "timeFrom", "content": "options",
              "legend": "options", "stacked": "fieldConfig", **{name: "fieldConfig" for name in (
                  "unit", "decimals", "min", "max", "thresholds", "value_texts")}}
QUERY_KEYS = {"expr": "expr", "legend": "legendFormat", "instant": "instant", "format": "format",
              "exemplars": "exemplar"}


def build(cls: type[BaseModel], fields: dict[str, Any], droppable: tuple[str, ...]) -> Any:
    """cls(**fields), leaving out the optional fields it rejects (the residual then keeps what they said)."""
    while True:
        try:
            return cls(**fields)
        except ValidationError as error:
            rejected = {str(e["loc"][0]) for e in error.errors() if e["loc"]} & set(droppable)
            rejected = rejected or {name for name in droppable[:1] if name in fields}  # a whole-model check
            droppable = tuple(name for name in droppable if name not in rejected)
            if not rejected:
                raise
            for name in rejected:
                fields.pop(name, None)


# Data source names that say a kind other than Prometheus: plugin ids of Grafana's core data sources. A LogQL
# metric query (sum(count_over_time({job="x"}[1m]))) parses as PromQL, so the query cannot tell them apart.
OTHER_KINDS = re.compile(r"loki|tempo|jaeger|zipkin|elastic|opensearch|influx|graphite|mysql|postgres|mssql|"
                         r"cloudwatch|stackdriver|azure|alertmanager|testdata|opentsdb|pyroscope|parca")


class Sources:
    """Which data source references of a dashboard are Prometheus, and which queries obsgen can check."""

    def __init__(self, data: dict[str, Any], notes: Notes, values: dict[str, str] | None = None) -> None:
        variables = template_variables(data)
        self.plugins = {str(v.get("name")): str(v.get("query")) for v in variables if v.get("type") == "datasource"}
        self.inputs = {str(i.get("name")): str(i.get("pluginId")) for i in data.get("__inputs") or []
                       if isinstance(i, dict)}
        self.notes = notes
        self.values = values or {**PARSE_BUILTINS, **{str(v.get("name")): ".*" for v in variables}}
        self._data = data

    def with_variables(self, variables: tuple[Variable, ...]) -> Sources:
        """The same sources, checking queries with the values these variables take."""
        return Sources(self._data, self.notes, {"datasource": "prometheus", **values_of(variables)})

    def is_prometheus(self, ref: Any) -> bool:
        """Whether a panel's, target's or variable's data source is Prometheus (the default one is assumed so)."""
        if isinstance(ref, dict):
            if ref.get("type"):
                return bool(ref["type"] == "prometheus")
            ref = ref.get("uid")
        if ref in (None, "", "default"):
            return True
        text = str(ref)
        match = VARIABLE_REF.match(text)
        if match:
            name = match.group(1) or match.group(2)
            kind = self.plugins.get(name) or self.inputs.get(name) or ("prometheus" if "prom" in name.lower() else "")
            return kind == "prometheus"
        if text.startswith("-- ") or text == "grafana":
            return False
        if "prom" not in text.lower() and OTHER_KINDS.search(text.lower()):
            # its name says its kind (Grafana 7's "Loki"): Grafana finds it by name, obsgen's Loki too
            self.notes.add("data sources whose names say another kind than Prometheus (Loki, InfluxDB...), kept as "
                           "named, their panels' queries not checked (a Prometheus named so: point its panels at "
                           "${datasource} in the JSON and import again)", repr(text))
            return False
        self.notes.add("data sources named in the dashboard, now read through the ${datasource} variable", repr(text))
        return True

    @staticmethod
    def is_mixed(ref: Any) -> bool:
        """Whether a panel's data source is Grafana's "-- Mixed --" (each target names its own)."""
        return (ref.get("uid") if isinstance(ref, dict) else ref) == "-- Mixed --"

    @staticmethod
    def is_dashboard(ref: Any) -> bool:
        """Whether a data source is Grafana's "-- Dashboard --" (a target naming another panel's queries by id)."""
        return (ref.get("uid") if isinstance(ref, dict) else ref) == "-- Dashboard --"

    def parses(self, expr: str) -> bool:
        """Whether an expression is PromQL once Grafana's variables are filled in."""
        try:
            check_syntax(interpolate(expr, self.values))
        except (PromQLError, UnknownVariable):
            return False
        return True

    def parses_variable(self, query: str) -> bool:
        """Whether a query variable's query is one the loader can check."""
        expr = variable_expr(query)
        return not expr or self.parses(expr)


def _number(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _duration(text: Any) -> str | None:
    span = str(text or "").removeprefix("now-")
    try:
        parse_seconds(span)
    except ValueError:
        return None
    return span


def _base_step_unbounded(panel: dict[str, Any]) -> dict[str, Any]:
    """The panel with its first threshold step's value as null: Grafana reads the base step from -Infinity
    whatever value it holds, and the model writes it so."""
    steps = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds", {}).get("steps")
    if not isinstance(steps, list) or not steps or not isinstance(steps[0], dict) or steps[0].get("value") is None:
        return panel
    defaults = panel["fieldConfig"]["defaults"]
    thresholds = {**defaults["thresholds"], "steps": [{**steps[0], "value": None}, *steps[1:]]}
    return {**panel, "fieldConfig": {**panel["fieldConfig"], "defaults": {**defaults, "thresholds": thresholds}}}


def loaded_ids(data: Any) -> dict[str, int]:
    """The id Grafana gives each panel of a dashboard (its JSON path as written -> id) as it loads it: its
    DashboardModel's ensurePanelsHaveUniqueIds walks `panels` as written (each row's own panels after it) and gives
    a panel with no id (or 0), or with one a panel before it has, the next id above the highest written. A link
    with `viewPanel=` of such an id opens that panel. Old-style `rows` (schema < 16) are not walked: their panels
    keep the ids written."""
    listed = data.get("panels") if isinstance(data, dict) else None
    walked: list[tuple[str, dict[str, Any]]] = []
    for index, panel in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(panel, dict):
            inner = panel.get("panels")
            walked += [(f"panels[{index}]", panel), *((f"panels[{index}].panels[{at}]", item) for at, item in
                                                      enumerate(inner if isinstance(inner, list) else [])
                                                      if isinstance(item, dict))]
    numbers = [panel["id"] for _, panel in walked if type(panel.get("id")) is int]
    following = max([0, *numbers]) + 1  # getNextPanelId
    seen: set[Any] = set()
    given: dict[str, int] = {}
    for path, panel in walked:
        value = panel.get("id")
        if isinstance(value, list | dict) or value is True:  # truthy to Grafana, kept; no id a link names
            continue
        if not value or value in seen:
            value, following = following, following + 1
        seen.add(value)
        if type(value) is int:
            given[path] = value
    return given


class PanelReader:
    """Reads the panels and rows of one dashboard, keeping their titles unique."""

    def __init__(self, sources: Sources, notes: Notes) -> None:
        self.sources, self.notes = sources, notes
        self.ids: dict[int, str] = {}
        self.counts: dict[str, int] = {}  # the last count a repeated title was given
        self.loaded = loaded_ids(notes.written)  # a panel's path as written -> the id Grafana gives it at load
        self.renumbered: dict[int, int] = {}  # a panel's id in the source (as Grafana loads it) -> the id obsgen gives
        self.wheres: dict[str, str] = {}  # a panel's or row's title in the model -> where (Notes) it was read
        self.given: dict[str, int] = {}  # a panel's or row's title in the model -> its id (panel_id, found once)
        self.places: dict[str, dict[str, int]] = {}  # a panel's or row's title in the model -> its fields' lines
        self.read: list[int] = []  # the index in `targets` of each query of the panel being read

    def _title(self, wanted: str, fallback: str) -> str:
        base = wanted.strip() or fallback
        count = self.counts.get(base, 1)  # every lower count is taken already: linear in repeats, not quadratic
        title = base if count == 1 else f"{base} ({count})"
        while (key := panel_id(title)) in self.ids:
            count += 1
            title = f"{base} ({count})"
        self.counts[base] = count
        self.ids[key], self.wheres[title], self.given[title] = title, self.notes.where, key
        if title != wanted:
            self.notes.add("titles repeated or empty, renamed in the definitions (panel ids derive from titles) "
                           "and shown as before", repr(wanted))
        return title

    def _query(self, target: dict[str, Any], index: int) -> Query:
        legend = str(target.get("legendFormat") or "")
        legend = "" if legend == "__auto" else legend
        link = Query.trace_link(str(target["expr"]), legend) if target.get("exemplar") else None
        query = link or Query(
            expr=str(target["expr"]), legend=legend, instant=bool(target.get("instant")) and not target.get("range"),
            format=target.get("format") if target.get("format") in ("table", "heatmap") else "time_series",
            exemplars=bool(target.get("exemplar")))
        # both as Grafana holds them: a default the original leaves out or writes means the same
        extra = residual(without(loaded_target(target), TARGET_OWNED),
                         without(loaded_target(target_json(query, index)), TARGET_OWNED))
        return query.model_copy(update={"extra": extra}) if extra else query

    def _queries(self, panel: dict[str, Any]) -> tuple[Query, ...] | None:
        """The panel's targets as checked queries; None when they must stay verbatim."""
        targets = [t for t in panel.get("targets") or [] if isinstance(t, dict)]
        if not targets:
            return None
        mixed = self.sources.is_mixed(panel.get("datasource"))  # each target names its own
        blank = [t for t in targets if not str(t.get("expr") or "").strip()]
        targets = [t for t in targets if t not in blank]
        if not targets or not (mixed or self.sources.is_prometheus(panel.get("datasource"))) or any(
                not self.sources.is_prometheus(t.get("datasource", None if mixed else panel.get("datasource")))
                or not self.sources.parses(str(t["expr"])) for t in targets):
            self.notes.add("queries kept verbatim, not checked (another data source, or not PromQL obsgen parses)",
                           repr(panel.get("title")))
            return None  # every target kept, the empty ones too (a "-- Dashboard --" one has no expr)
        for target in blank:
            self.notes.add("empty queries left out (they query nothing)",
                           f"{panel.get('title')!r} {target.get('refId')}")
        read = {id(target) for target in targets}
        self.read = [index for index, target in enumerate(panel["targets"]) if id(target) in read]
        return tuple(self._query(t, i) for i, t in enumerate(targets))

    def _links(self, links: Any) -> tuple[Link, ...]:
        found = []
        for item in links if isinstance(links, list) else []:
            if not isinstance(item, dict) or not item.get("url"):
                return ()
            link = Link(title=str(item.get("title") or item["url"]), url=str(item["url"]),
                        new_tab=bool(item.get("targetBlank")))
            if residual(item, data_link_json(link)):  # anything the model's link does not say: keep the list verbatim
                return ()
            found.append(link)
        return tuple(found)

    def _settings(self, panel: dict[str, Any], kind: PanelKind) -> dict[str, Any]:
        """The model fields a panel's field config and options say (build() drops those the model rejects)."""
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        options = panel.get("options") or {}
        steps = (defaults.get("thresholds") or {}).get("steps") or []
        mappings = defaults.get("mappings") or []
        legend = options.get("legend") if isinstance(options.get("legend"), dict) else {}
        # Plain dicts: the model validates them when the panel is built, and build() drops what it rejects.
        fields: dict[str, Any] = {
            "unit": str(defaults.get("unit") or (options.get("yAxis") or {}).get("unit") or ""),
            "decimals": _number(defaults.get("decimals")), "min": _number(defaults.get("min")),
            "max": _number(defaults.get("max")), "links": self._links(panel.get("links")),
            "thresholds": tuple({"value": s.get("value"), "color": s.get("color")} for s in steps),
            "time_range": "today" if panel.get("timeFrom") == "now/d" else _duration(panel.get("timeFrom")),
        }
        if len(mappings) == 1 and isinstance(mappings[0], dict) and mappings[0].get("type") == "value":
            entries = sorted((mappings[0].get("options") or {}).items(), key=lambda item: item[1].get("index", 0))
            fields["value_texts"] = tuple({"value": v, "text": o.get("text"), "color": o.get("color") or ""}
                                          for v, o in entries)
        if kind in LEGENDS and legend:
            fields["legend"] = {"show": legend.get("showLegend", True), "mode": legend.get("displayMode", "list"),
                                "placement": legend.get("placement", "bottom"),
                                "calcs": tuple(legend.get("calcs") or ())}
        elif kind is PanelKind.HEATMAP and legend:
            fields["legend"] = {"show": bool(legend.get("show", True))}
        stacking = ((defaults.get("custom") or {}).get("stacking") or {}).get("mode") if kind is PanelKind.TIMESERIES \
            else options.get("stacking")
        fields["stacked"] = stacking == "normal"
        if kind is PanelKind.TEXT:
            fields["content"] = str(options.get("content") or "")
        return fields

    def panel(self, source: dict[str, Any]) -> Panel:
        """A panel with what its model does not say kept verbatim in extra."""
        self.notes.where, self.read = self.notes.placing(source), []
        source = loaded_panel({k: v for k, v in source.items() if PANEL_DEFAULTS.get(k, ...) != v})
        source = _base_step_unbounded(source)
        kind = KINDS.get(str(source.get("type")))
        queries = self._queries(source) if kind is not PanelKind.TEXT else None
        if kind is PanelKind.TEXT and source.get("targets"):
            self.notes.add("text panels' queries kept verbatim (Grafana keeps them and runs none: the panel shows "
                           "its content only)", repr(source.get("title")))
        settings = self._settings(source, kind) if kind is not None else {}
        # What the panel must carry verbatim to be valid at all: a type or targets the model does not say.
        provisional: dict[str, Any] = {}
        if kind is None or (kind is PanelKind.TEXT and not settings["content"]):
            provisional["type"] = source.get("type")
        if kind is None and "libraryPanel" in source:
            self.notes.add("library panels, kept as references (their content lives in Grafana's library)",
                           repr(source.get("title")))
        elif kind is None:
            self.notes.add("panel types obsgen does not model, kept verbatim", str(source.get("type")))
        if queries is None and (source.get("targets") or kind not in (None, PanelKind.TEXT)):
            provisional["targets"] = source.get("targets") or []
            provisional |= {"datasource": source["datasource"]} if "datasource" in source else {}
        grid = source.get("gridPos") or {}
        fields = {"title": self._title(str(source.get("title") or ""), f"{source.get('type')} panel"),
                  "kind": kind or (PanelKind.TIMESERIES if queries else PanelKind.TEXT),
                  "description": str(source.get("description") or ""), "queries": queries or (),
                  "width": min(int(grid["w"]), MAX_WIDTH) if grid.get("w") else None,
                  "height": min(int(grid["h"]), MAX_HEIGHT) if grid.get("h") else None, "extra": provisional,
                  **settings}
        model: Panel = build(Panel, fields, droppable=SETTINGS)
        generated = panel_json(model, Box(0, 0, model.width or 1, model.height or 1))
        owned = PANEL_OWNED | ({"datasource", "targets"} if queries is not None else set())
        extra = merge(provisional, residual(without(source, owned), without(loaded_panel(generated), owned)))
        if model.title != source.get("title"):
            extra["title"] = source.get("title") or ""
        old = self._old_id(source)
        if old is not None:
            given = self.given[model.title]
            self.renumbered.setdefault(old, given)  # Grafana's getPanelById: the first
            if old != given:
                self.notes.add("panel ids renumbered (obsgen derives them from titles): bookmarks and embeds of the "
                               "dashboard with viewPanel= or panelId= of the old id no longer open the panel",
                               f"{old}{'' if old == source.get('id') else ' (given at load)'} -> {given}")
        for key in (key for key in extra if key not in provisional):
            self.notes.add("Grafana JSON obsgen does not model, kept verbatim in extra=", f"panel.{key}")
        self.places[model.title] = self._places()
        return model.model_copy(update={"extra": extra}) if extra else model

    def _places(self) -> dict[str, int]:
        """The lines of the panel being read and of its fields (Panel's; `queries[1].expr`: its second query's
        expression), to name where to fix what the loader refuses of the panel imported."""
        path, own = getattr(self.notes.where, "path", ""), self.notes.line(self.notes.where)
        if not path:  # a panel the upgrade made (an old row's): its own line only
            return {"": own}
        places = {"": own} | {name: self.notes.line(f"{path}.{key}") for name, key in PANEL_KEYS.items()}
        for number, index in enumerate(self.read):
            target = f"{path}.targets[{index}]"
            places[f"queries[{number}]"] = self.notes.line(target)
            places |= {f"queries[{number}].{name}": self.notes.line(f"{target}.{key}") for name, key in
                       QUERY_KEYS.items()}
        return places

    def _old_id(self, source: dict[str, Any]) -> int | None:
        """The id the panel being read has in Grafana: as it loads the dashboard (loaded_ids; one written without
        an id, or with another's, is given one), else as written."""
        path = getattr(self.notes.where, "path", "")
        loaded = self.loaded.get(self.notes.written_path(path)) if path else None
        return loaded if loaded is not None else source["id"] if isinstance(source.get("id"), int) else None

    def row(self, source: dict[str, Any], panels: tuple[Panel, ...]) -> Row:
        """A row with what its model does not say kept verbatim in extra."""
        self.notes.where = self.notes.placing(source)  # a panel of type row
        model = Row(title=self._title(str(source.get("title") or ""), "Row"), collapsed=bool(source.get("collapsed")),
                    panels=panels)
        extra = residual(without(source, ROW_OWNED), without(row_json(model, Box(0, 0, MAX_WIDTH, 1), []), ROW_OWNED))
        self.places[model.title] = {"": self.notes.line(self.notes.where)}
        if model.title != source.get("title"):
            extra["title"] = source.get("title") or ""
        return model.model_copy(update={"extra": extra}) if extra else model
