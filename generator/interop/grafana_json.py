"""Grafana dashboard JSON of any schema version -> obsgen's model, keeping verbatim what the model cannot say.

Old JSON is first brought to the current shape (generator.interop.grafana_legacy). Each part then becomes
its model object; the object is rendered back by the Grafana target, and whatever the source says that
the rendering does not is kept in the object's `extra` (generator.core.verbatim). So the built dashboard says
everything the source said, at the current schema version, with its panels where it placed them
(generator.interop.grafana_layout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from generator.core.dashboard_variables import template_variables
from generator.core.duration import parse_seconds
from generator.core.errors import DefinitionError, Location
from generator.core.grafana_interpolation import labelled_option
from generator.core.lined import line_of
from generator.core.verbatim import residual, without
from generator.derive.variable_json import DATASOURCE, variable_json
from generator.interop.grafana_defaults import loaded_dashboard, loaded_link, loaded_variable
from generator.interop.grafana_layout import as_written
from generator.interop.grafana_legacy import upgrade
from generator.interop.grafana_shape import shaped
from generator.interop.notes import Notes
from generator.interop.panel_links import Relinker
from generator.interop.panel_reader import PanelReader, Sources, build
from generator.model import (
    CustomVariable,
    Dashboard,
    DatasourceVariable,
    IntervalVariable,
    Link,
    Panel,
    QueryVariable,
    Row,
    VerbatimVariable,
)
from generator.model.dashboards import Variable
from generator.model.identity import dashboard_uid

OWNED = frozenset({"id", "uid", "title", "version", "schemaVersion", "panels", "templating", "iteration",
                   "description", "__inputs", "__requires", "__elements"})
EXPORT_KEYS = ("__inputs", "__requires", "__elements")
PROVISIONED = ("loki", "tempo", "alertmanager")  # data sources out/grafana/provisioning names by their type
VARIABLE_OWNED = frozenset({"name", "type"})
# Where a variable's model field is written in its JSON (its own line for the rest).
VARIABLE_KEYS = {"name": "name", "label": "label", "query": "query", "regex": "regex", "options": "query",
                 "default": "current", "multi": "multi", "include_all": "includeAll", "all_value": "allValue"}
# What a reader raises on a shape it does not expect (after grafana_shape, a defect, reported as one line).
UNREADABLE = (TypeError, ValueError, KeyError, AttributeError, IndexError, ZeroDivisionError, OverflowError,
              RecursionError)


@dataclass
class Converted:
    """A dashboard in the model, and what the conversion mapped or kept verbatim."""

    dashboard: Dashboard
    notes: list[tuple[int, str]]  # (the line of the file it is about, 0: unknown; what it says)
    # ("panel", a panel's or row's title) or ("variable", its name) in the model -> its fields' lines in the file
    places: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)


def _split(text: str) -> tuple[str, ...]:
    """Values of a custom or interval variable: comma separated, '\\,' for a comma inside one."""
    parts = text.replace("\\,", "\0").split(",")
    return tuple(p.replace("\0", ",").strip() for p in parts if p.strip())


def _current(source: dict[str, Any]) -> str:
    value = (source.get("current") or {}).get("value")
    value = value[0] if isinstance(value, list) and value else value
    return str(value) if value not in (None, [], "$__all") else ""


def _modelled(source: dict[str, Any], sources: Sources) -> Variable | None:
    """The model variable for a Grafana one, or None when the model has no kind for it."""
    kind, name, label = source.get("type"), str(source.get("name")), str(source.get("label") or "")
    query = source.get("query")
    text = str(query.get("query", "") if isinstance(query, dict) else query or "")
    if kind == "datasource" and text in ("prometheus", "loki", "tempo"):
        return DatasourceVariable(name=name, label=label or name, type=text)
    if kind == "query" and sources.is_prometheus(source.get("datasource")) and sources.parses_variable(text):
        return QueryVariable(name=name, label=label, query=text, multi=bool(source.get("multi")),
                             include_all=bool(source.get("includeAll")), all_value=source.get("allValue") or None,
                             regex=str(source.get("regex") or ""))
    if kind == "custom" and _split(text):
        options = _split(text)
        chosen = _current(source)  # a value: the item `text : value` names it (labelled_option)
        default = next((item for item in options if labelled_option(item)[1] == chosen), "")
        return CustomVariable(name=name, label=label, options=options, multi=bool(source.get("multi")),
                              default=default)
    if kind == "interval" and _split(text):
        options = _split(text)
        chosen, auto = str((source.get("current") or {}).get("text") or ""), bool(source.get("auto"))
        return IntervalVariable(name=name, label=label, options=options, auto=auto,
                                auto_count=int(source.get("auto_count") or 30),
                                auto_min=str(source.get("auto_min") or "10s"),
                                default=chosen if chosen in options or (auto and chosen == "auto") else "")
    return None


def _variable(source: dict[str, Any], sources: Sources, notes: Notes) -> Variable:
    """A template variable with what its model does not say kept verbatim."""
    try:
        model = _modelled(source, sources)
    except (ValidationError, ValueError):
        model = None
    if model is None:
        notes.add("variables of a kind obsgen does not model, kept verbatim", f"${source.get('name')} "
                  f"({source.get('type')})")
        return VerbatimVariable(name=str(source.get("name")), document=source, value=_current(source) or str(
            source.get("query") or ""))
    owned = VARIABLE_OWNED | ({"datasource"} if isinstance(model, QueryVariable) else set())
    extra = residual(without(loaded_variable(source), owned), without(variable_json(model), owned))
    return model.model_copy(update={"extra": extra}) if extra else model


def _time_range(time: Any) -> str | None:
    """The range of a dashboard's time picker, when it is now-<duration> to now."""
    if not isinstance(time, dict) or time.get("to", "now") != "now":
        return None
    span = str(time.get("from", "")).removeprefix("now-")
    try:
        parse_seconds(span)
    except ValueError:
        return None
    return span


def _links(source: list[Any]) -> tuple[Link, ...]:
    """Dashboard header links the model can say exactly (plain URL links); others stay verbatim."""
    from generator.targets.grafana_panels import link_json

    found = []
    for item in source:
        if not isinstance(item, dict) or item.get("type", "link") != "link" or not item.get("url"):
            return ()
        link = Link(title=str(item.get("title") or item["url"]), url=str(item["url"]),
                    new_tab=bool(item.get("targetBlank")))
        if residual(loaded_link(item), link_json(link)):
            return ()
        found.append(link)
    return tuple(found)


def _sections(panels: list[dict[str, Any]], reader: PanelReader,
              written: list[Any]) -> tuple[tuple[Panel, ...], tuple[Row, ...]]:
    """Panels above the first row, and each row with its panels (nested when collapsed, following otherwise);
    `written` gets the gridPos of each in reading order (a row's panels after it), as the layout places them."""
    def position(item: dict[str, Any]) -> tuple[int, int]:
        grid = item.get("gridPos") or {}
        return int(grid.get("y") or 0), int(grid.get("x") or 0)

    top: list[Panel] = []
    rows: list[tuple[dict[str, Any], list[Panel]]] = []
    for item in sorted((p for p in panels if isinstance(p, dict)), key=position):
        if item.get("type") == "row":
            inner = sorted((p for p in item.get("panels") or [] if isinstance(p, dict)), key=position)
            written += [item.get("gridPos"), *(p.get("gridPos") for p in inner)]
            rows.append((item, [reader.panel(p) for p in inner]))
            continue
        if rows and rows[-1][0].get("collapsed"):  # Grafana shows it under the closed row (createSceneObjectsForPanels)
            placed = reader.notes.placing(item)  # its path as written: the upgrade may have left panels out before it
            reader.notes.add("panels below a collapsed row but not in it, which Grafana shows, are now in the row "
                             "and hidden until it is opened (obsgen's rows hold the panels below them): move them "
                             "above the row or into an open one", f"{reader.notes.written_path(placed.path)} "
                                                                   f"{item.get('title')!r} below "
                                                                   f"{rows[-1][0].get('title')!r}", at=placed)
        (rows[-1][1] if rows else top).append(reader.panel(item))
        written.append(item.get("gridPos"))
    return tuple(top), tuple(reader.row(item, tuple(inner)) for item, inner in rows)


def _dashboard_fields(data: dict[str, Any], source: str, lint: bool) -> dict[str, Any]:
    title = str(data.get("title") or data.get("uid") or PurePath(source).stem or "Imported dashboard").strip()
    uid = str(data.get("uid") or "")
    refresh = data.get("refresh") if isinstance(data.get("refresh"), str) else None
    # A linted dashboard needs a description (a grafanalib one adopted into the project); an imported one keeps
    # the one it had, or none: exported again, it would have changed (the module says where it came from).
    made_up = f"{title} (imported from {source or 'Grafana JSON'})" if lint else ""
    return {
        "name": title,
        "grafana_uid": uid if uid and uid != dashboard_uid(title) else "",
        "description": str(data.get("description") or made_up),
        "lint": lint,
        "tags": tuple(str(t) for t in data.get("tags") or ()),
        "refresh": refresh or None,
        "time_range": _time_range(data.get("time")) or "6h",
    }


def _references(value: Any, replacements: dict[str, dict[str, str]]) -> Any:
    """The dashboard with data source references (a name, a variable, an export placeholder) replaced."""
    if isinstance(value, list):
        return [_references(item, replacements) for item in value]
    if not isinstance(value, dict):
        return value
    found = {key: _references(item, replacements) for key, item in value.items()}
    reference = found.get("datasource")
    name = reference.get("uid") if isinstance(reference, dict) else reference
    if isinstance(name, str) and name in replacements:
        found["datasource"] = replacements[name]
    return found


def _datasource_references(data: dict[str, Any], notes: Notes) -> dict[str, Any]:
    """Export placeholders of data sources obsgen provisions named by their uid (${DS_LOKI} -> loki), and the
    Prometheus data source variable named `datasource`, the one every panel obsgen writes reads."""
    replacements = {f"${{{i['name']}}}": {"type": str(i["pluginId"]), "uid": str(i["pluginId"])}
                    for i in data.get("__inputs") or [] if isinstance(i, dict) and i.get("pluginId") in PROVISIONED}
    for placeholder, reference in replacements.items():
        notes.add("export inputs of data sources obsgen provisions, now named by their uid",
                  f"{placeholder} -> {reference['uid']}", at="__inputs")
    variables = template_variables(data)
    prometheus = [v for v in variables if v.get("type") == "datasource" and v.get("query") == "prometheus"]
    renamed = prometheus[0]["name"] if prometheus and not any(v.get("name") == "datasource" for v in variables) \
        else "datasource"
    if renamed != "datasource":
        notes.add("the Prometheus data source variable is now $datasource, which every panel obsgen writes reads",
                  f"${renamed}", at="templating")
        replacements |= {ref: dict(DATASOURCE) for ref in (f"${renamed}", f"${{{renamed}}}", f"[[{renamed}]]")}
    if not replacements:
        return data
    rewritten: dict[str, Any] = _references(data, replacements)
    for variable in rewritten["templating"]["list"] if renamed != "datasource" else []:
        variable["name"] = "datasource" if variable.get("name") == renamed else variable.get("name")
    return rewritten


def _library_panels_inlined(data: dict[str, Any], notes: Notes) -> dict[str, Any]:
    """The dashboard with each library panel whose model its export carries (__elements: a list in Grafana 8, an
    object by uid since) replaced by that model at the reference's place and id, as Grafana's loadLibraryPanel
    restores it: provisioned, a reference finds no library panel in the Grafana it lands in."""
    elements = data.get("__elements")
    listed = elements.values() if isinstance(elements, dict) else elements if isinstance(elements, list) else ()
    models = {str(e.get("uid")): e["model"] for e in listed if isinstance(e, dict) and isinstance(e.get("model"), dict)}

    def inlined(panel: Any, path: str, within: tuple[str, ...]) -> Any:
        """The panel at path, inside the models of the library panels `within` (a model holding its own reference
        would be inlined without end: Grafana loads a library panel's model once)."""
        if not isinstance(panel, dict):
            return panel
        reference = panel.get("libraryPanel")
        uid = str(reference.get("uid")) if isinstance(reference, dict) else ""
        model = models.get(uid) if isinstance(reference, dict) else None
        if model is not None:
            if uid in within:
                notes.where = path
                raise ValueError(f"library panel {uid!r} holds a reference to itself")
            notes.add("library panels the export carries, imported as the panels they are (no longer linked to a "
                      "library)", repr(model.get("title") or panel.get("title")), at=path)
            panel = {**model, "title": model.get("title") or panel.get("title"),
                     **{key: panel[key] for key in ("gridPos", "id") if key in panel}}
            within += (uid,)
        return {**panel, "panels": [inlined(p, f"{path}.panels[{i}]", within) for i, p in enumerate(panel["panels"])]} \
            if isinstance(panel.get("panels"), list) else panel

    if not models:
        return data
    return data | {key: [inlined(p, f"{key}[{i}]", ()) for i, p in enumerate(data[key])] for key in ("panels", "rows")
                   if isinstance(data.get(key), list)}


def convert(data: dict[str, Any], location: Location, folder: str = "General", source: str = "",
            lint: bool = True) -> Converted:
    """The model of a Grafana dashboard of any schema version, to be emitted at the current one (linted with the
    project's, or kept as written: lint=False); DefinitionError naming the file and the JSON path for what cannot
    be read."""
    notes = Notes(written=data)
    location = Location(location.file, line_of(data, default=location.line))  # read by core.lined: its line
    try:
        return _convert(shaped(_library_panels_inlined(data, notes), notes), location, folder, source, notes, lint)
    except UNREADABLE as error:  # a shape the readers do not handle: one line naming where, never a traceback
        title = data.get("title") if isinstance(data.get("title"), str) else "?"
        at, where = Location(location.file, notes.line(notes.where) or location.line), notes.written_path(notes.where)
        raise DefinitionError(at, f"cannot import dashboard {title!r}: {where or 'dashboard'}: "
                                  f"{_said(error)}") from None


def _said(error: Exception) -> str:
    """What an error of the readers says in one line: a model's refusal in the model's words (not pydantic's
    "1 validation error for Panel"), anything else with its type."""
    if isinstance(error, ValidationError) and error.errors():
        first = error.errors()[0]
        named = ".".join(map(str, first["loc"]))
        return f"{named}: " * bool(named) + first["msg"].removeprefix("Value error, ")
    return f"{type(error).__name__}: {(str(error) or '?').splitlines()[0]}"


def _convert(data: dict[str, Any], location: Location, folder: str, source: str, notes: Notes,
             lint: bool) -> Converted:
    """The conversion of `data`, the dashboard as written in its file (notes.written) once brought to shape."""
    from generator.targets.grafana import BUILTIN_ANNOTATION, dashboard_settings, links_json

    for key in EXPORT_KEYS:
        if data.get(key):
            notes.add("export envelope left out: ${DS_...} inputs now read the ${datasource} variable", key, at=key)
    data = _datasource_references(data, notes)
    current = upgrade(data, notes)
    sources = Sources(data, notes)
    variables = []
    places: dict[tuple[str, str], dict[str, int]] = {}
    for index, variable in enumerate(current["templating"]["list"]):
        notes.where = f"templating.list[{index}]"
        variables.append(_variable(variable, sources, notes))
        places[("variable", variables[-1].name)] = {"": notes.line(notes.where)} | {
            name: notes.line(f"{notes.where}.{key}") for name, key in VARIABLE_KEYS.items()}
    notes.where = ""
    reader = PanelReader(sources.with_variables(tuple(variables)), notes)
    written: list[Any] = []
    top, rows = _sections(current["panels"], reader, written)
    notes.where = ""
    relinker = Relinker(str(current.get("uid") or ""), reader.renumbered, notes, reader.wheres)  # old ids named
    top, rows = as_written(tuple(map(relinker.panel, top)), tuple(map(relinker.row, rows)), written, reader.wheres,
                           notes)
    relinker.at = "links"
    current = current | ({"links": relinker.value(current["links"])} if "links" in current else {})
    fields = _dashboard_fields(current, source, lint) | {"folder": folder, "variables": tuple(variables), "panels": top,
                                                    "rows": rows, "links": _links(current.get("links") or [])}
    if not current.get("title"):
        notes.add(f"a dashboard without a title is named after its file: {fields['name']!r} (Grafana shows "
                  "'No Title'; obsgen names each dashboard uniquely)")
    if not top and not rows:
        raise DefinitionError(location, f"dashboard {fields['name']!r} has no panels to import")
    try:
        dashboard = build(Dashboard, fields, droppable=("refresh", "tags", "grafana_uid", "links"))
    except ValidationError as error:
        first = error.errors()[0]
        # about a variable (one per templating.list item): at its line, the one it names when the check is the list's
        named = [i for i, v in enumerate(fields["variables"]) if first["loc"][:2] == ("variables", i)
                 or (first["loc"] == ("variables",) and repr(v.name) in first["msg"])]
        line = notes.line(f"templating.list[{named[0]}]") if named else 0
        raise DefinitionError(Location(location.file, line or location.line),
                              f"dashboard {fields['name']!r}: {'.'.join(map(str, first['loc']))}: "
                              f"{first['msg'].removeprefix('Value error, ')}") from None
    if current.get("uid") and str(current["uid"]) != dashboard.uid:
        notes.add(f"uid {current.get('uid')!r} is not a valid Grafana uid; the dashboard's is {dashboard.uid!r}",
                  at="uid")
    # the upgrade left the built-in annotation out (Grafana adds it to any dashboard without one), so the two are
    # compared without it, and a list kept verbatim gets it back ahead of its own unless it has its own changed
    generated = dashboard_settings(dashboard) | {"links": links_json(dashboard), "annotations": {"list": []}}
    extra = residual(without(loaded_dashboard(current), OWNED), generated)
    kept = (extra.get("annotations") or {}).get("list")
    if isinstance(kept, list) and not any(isinstance(a, dict) and a.get("builtIn") == 1 for a in kept):
        extra["annotations"] = {**extra["annotations"], "list": [BUILTIN_ANNOTATION, *kept]}
    for key in extra:
        notes.add("Grafana JSON obsgen does not model, kept verbatim in extra=", f"dashboard.{key}", at=key)
    if extra:
        dashboard = dashboard.model_copy(update={"extra": extra})
    dashboard._location = location
    for panel in dashboard.all_panels:
        panel._location = location
    places |= {("panel", title): lines for title, lines in reader.places.items()}
    return Converted(dashboard, notes.lines(), places)


def from_grafana_json(data: dict[str, Any], location: Location, folder: str = "General") -> Dashboard:
    """The model of a Grafana dashboard, ready to be laid out, linted and emitted at the current schema."""
    return convert(data, location, folder).dashboard
