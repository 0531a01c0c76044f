"""Grafana dashboards read from JSON files, API exports and Kubernetes manifests, converted into the model.

Accepted: a dashboard JSON file (any schema version), the API's {"dashboard": ..., "meta": ...}
envelope, a JSON list of either, and in YAML the ConfigMaps the Grafana sidecar loads (ConfigMap,
ConfigMapList, List) or grafana-operator's GrafanaDashboard (spec.json).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from generator.core.errors import DefinitionError, Location
from generator.core.untrusted import JSON_STRING
from generator.importer.pysource import Called, definitions_module
from generator.importer.reading import (
    Budget,
    ReadError,
    block_line,
    check_objects,
    error_line,
    flow_line,
    line_of,
    lined_json,
    load_json,
    mapping_at,
    notes_written,
    read_text,
)
from generator.interop.grafana_json import convert
from generator.model import Dashboard, DatasourceVariable
from generator.model.identity import slug

FOLDER_ANNOTATIONS = ("k8s-sidecar-target-directory", "grafana_folder", "grafana-folder")
_JSON_STRING = re.compile(JSON_STRING + '"')  # core.untrusted's, in linear time
MODULE_PREFIX = re.compile(r"^(grafana[-_])?dashboards?[-_]")  # grafana-dashboard-x.json is dashboards_x
RESOURCE_GROUP = "dashboard.grafana.app/"  # Grafana 12's dashboards as Kubernetes-style resources
V2_VERSION = re.compile(r"dashboard\.grafana\.app/v2")
V2_KEYS = frozenset({"elements", "layout"})  # schema v2's spec: panels by name, and where each is placed
VARIABLE_CALLS = frozenset({"QueryVariable", "CustomVariable", "IntervalVariable", "DatasourceVariable",
                            "VerbatimVariable"})


@dataclass
class ImportedDashboard:
    """One dashboard read from a file: where it came from, its model, and the conversion's notes."""

    path: Path
    source: str  # how the module names the file: relative to the project, never an absolute path
    origin: str
    key: str
    dashboard: Dashboard
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line of the file, 0: unknown; what it says)
    line: int = 0  # where its JSON starts in the file (0: held in a manifest's string, or unknown)
    places: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # see grafana_json.Converted
    calls: ClassVar[frozenset[str]] = frozenset({"Panel", "Row", "Query"}) | VARIABLE_CALLS  # what line_at reads

    def line_at(self, called: list[Called]) -> int:
        """The line of the file where the panel, query or variable a line of its module is in (`called`, by
        pysource.calls_at of `calls`) is written, at the field the line is in; the dashboard's own line when the
        module's line is in none of them (0: not known)."""
        panel = next((at for at, call in reversed(list(enumerate(called))) if call.name in ("Panel", "Row")), None)
        if panel is not None:
            call, inner = called[panel], called[panel + 1:]
            places = self.places.get(("panel", call.strings.get("title", "")), {})
            query = f"queries[{call.item}]" if call.argument == "queries" and call.item is not None else ""
            wanted = [f"{query}.{inner[0].argument}" if query and inner else "", query, call.argument, ""]
        elif called and called[0].name in VARIABLE_CALLS:
            places = self.places.get(("variable", called[0].strings.get("name", "")), {})
            wanted = [called[0].argument, ""]
        else:
            return self.line
        return next((places[key] for key in wanted if places.get(key)), self.line)

    def notes_written(self) -> list[str]:
        """The notes as the module writes them (reading.notes_written)."""
        return notes_written(self.notes)

    @property
    def module(self) -> str:
        """Its definitions module: dashboards_<key> (alertmanager-overview.json -> dashboards_alertmanager_overview)."""
        stem = MODULE_PREFIX.sub("", slug(self.key.removesuffix(".json"))) or slug(self.dashboard.name)
        return "dashboards_" + stem.replace("-", "_")


def _is_dashboard(value: Any) -> bool:
    return isinstance(value, dict) and ("panels" in value or "rows" in value) and "title" in value


def _resource_spec(value: Any) -> dict[str, Any] | None:
    """The classic dashboard a Grafana 12 dashboard resource holds (apiVersion dashboard.grafana.app/v0alpha1 or
    v1beta1, kind Dashboard: its spec is the classic JSON), None for anything else; ReadError at its line for one of
    schema v2 (v2alpha1, v2beta1...: spec.elements and spec.layout), whose panels and layouts have no reader here."""
    if not isinstance(value, dict):
        return None
    spec = value["spec"] if isinstance(value.get("spec"), dict) else value
    version = str(value.get("apiVersion") or "")
    if V2_VERSION.match(version) or (spec.keys() >= V2_KEYS and "panels" not in spec):
        written = f" ({version})" if version else ""
        raise ReadError(f"dashboard {str(spec.get('title') or '')!r} is a Grafana 12 schema v2 resource{written}, "
                        "its panels in spec.elements and placed by spec.layout, which obsgen does not read: export "
                        "it from Grafana as classic JSON (Export > Export as JSON, the Classic model) and import "
                        "that", line_of(value))
    if value.get("kind") == "Dashboard" and version.startswith(RESOURCE_GROUP) and _is_dashboard(spec):
        return spec
    return None


def _found(value: Any, top: bool = False) -> Iterator[tuple[dict[str, Any], str]]:
    """(dashboard, folder) of a JSON value: a dashboard, an API envelope, a Grafana 12 resource holding a classic
    one, or a list of them. A file that is one object with panels or rows is a dashboard even without a title
    (Grafana loads it so)."""
    if isinstance(value, list):
        for item in value:
            yield from _found(item)
    elif (spec := _resource_spec(value)) is not None:
        yield spec, ""
    elif isinstance(value, dict) and _is_dashboard(value.get("dashboard")):
        meta = value.get("meta")
        yield value["dashboard"], str(meta.get("folderTitle") or "") if isinstance(meta, dict) else ""
    elif _is_dashboard(value) or (top and isinstance(value, dict) and ("panels" in value or "rows" in value)):
        yield value, ""


def _folder(metadata: dict[str, Any], kind: str) -> str:
    annotations = mapping_at(metadata, "annotations", f"{kind} metadata.annotations")
    return next((str(annotations[key]) for key in FOLDER_ANNOTATIONS if annotations.get(key)), "")


def _in_manifest(error: ValueError, where: str, line: int) -> ReadError:
    """An error reading JSON held in a manifest's string, saying which, at the line of the file where the string
    is (`line`): the error's lines are the JSON's, not the file's."""
    inner = error_line(error)
    return ReadError(f"{where}{f', line {inner} of its JSON' if inner else ''}: {error}", line)


def _manifest_json(owner: dict[Any, Any], key: Any) -> Any:
    """JSON held in a manifest's string (owner[key]), read with the file's lines: a literal block's (`|`, as
    kube-prometheus writes it) are the file's, a quoted string's (kubectl's "{\\n  \\"id\\"...") are those it is
    folded on (flow_line); a folded or plain scalar's are not known."""
    text, block, flow = owner[key], block_line(owner, key), flow_line(owner, key)
    if block is not None:
        return lined_json(text, block)
    return load_json(text) if flow is None else lined_json(text, flow[0] - 1, flow[1])


def _manifest_dashboards(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, str, str]]:
    """(dashboard, folder, origin, key) of a ConfigMap or GrafanaDashboard holding dashboard JSON; ValueError
    saying what was expected when one is not shaped as Kubernetes defines it."""
    kind = document.get("kind")
    if kind == "Dashboard" and str(document.get("apiVersion") or "").startswith(RESOURCE_GROUP):
        name = str(mapping_at(document, "metadata", "Dashboard metadata").get("name") or "")
        for dashboard, _ in _found(document):  # Grafana 12's resource, as its Git Sync and grafanactl write YAML
            yield dashboard, "", f"Dashboard {name}".strip(), name
        return
    if kind not in ("ConfigMap", "GrafanaDashboard"):
        return
    metadata = mapping_at(document, "metadata", f"{kind} metadata")
    origin = f"{kind} {metadata.get('name', '')}".strip()
    if kind == "ConfigMap":
        folder = _folder(metadata, kind)
        for key, text in mapping_at(document, "data", "ConfigMap data").items():
            try:
                value = _manifest_json(document["data"], key) if isinstance(text, str) else None
            except ReadError as error:
                raise _in_manifest(error, f"{origin} data {str(key)!r}", line_of(document.get("data"), key)) from None
            except (TypeError, ValueError):
                continue  # other files in the ConfigMap
            for dashboard, _ in _found(value):
                yield dashboard, folder, origin, str(key)
    else:
        spec = mapping_at(document, "spec", "GrafanaDashboard spec")
        try:
            value = _manifest_json(spec, "json") if isinstance(spec.get("json"), str) else None
        except ValueError as error:
            raise _in_manifest(error, f"{origin} spec.json", line_of(spec, "json")) from None
        for dashboard, _ in _found(value):
            yield dashboard, str(spec.get("folder") or ""), origin, str(metadata.get("name") or "")


def _objects(dashboard: dict[str, Any]) -> int:
    """How many objects converting a dashboard makes: itself, its variables, its panels and rows (nested ones
    included) and their queries, counted as read."""
    def listed(value: Any) -> list[Any]:
        return value if isinstance(value, list) else []

    tops = listed(dashboard.get("panels")) + listed(dashboard.get("rows"))
    panels = tops + [panel for item in tops if isinstance(item, dict) for panel in listed(item.get("panels"))]
    templating = dashboard.get("templating")
    variables = listed(templating.get("list")) if isinstance(templating, dict) else []
    return 1 + len(variables) + len(panels) + sum(len(listed(p.get("targets"))) for p in panels if isinstance(p, dict))


def _lone_surrogate(value: Any) -> str | None:
    """The first string (key or value, in the file's order) holding half of a UTF-16 surrogate pair."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return None
        except UnicodeEncodeError:
            return value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _lone_surrogate(key) or _lone_surrogate(item)
        if found:
            return found
    return None


def _check_characters(dashboard: dict[str, Any], text: str | None) -> None:
    """ReadError naming the dashboard, the panel or row, and the string, at its line of `text` (the file's JSON,
    None when embedded in a manifest), when a string holds half of a surrogate pair: JSON's \\ud800 escape, no
    character, which neither UTF-8 (out/'s files, the module written) nor Grafana can hold."""
    try:  # at C speed; the search below runs only when there is one
        json.dumps(dashboard, ensure_ascii=False).encode("utf-8")
        return
    except UnicodeEncodeError:
        pass

    def listed(key: str, owner: dict[str, Any]) -> list[dict[str, Any]]:
        value = owner.get(key)
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

    def titled(kind: str, item: dict[str, Any]) -> str:
        return f"{kind} {str(item.get('title') or '')!r}"  # repr: a surrogate shown as its escape

    places: list[tuple[str, Any]] = []
    sections = [("panel", p) for p in listed("panels", dashboard)] + [("row", r) for r in listed("rows", dashboard)]
    for kind, item in sections:
        own = {key: value for key, value in item.items() if key != "panels"}
        places.append((titled("row" if item.get("type") == "row" else kind, item), own))
        places += [(titled("panel", inner), inner) for inner in listed("panels", item)]
    places.append(("", {key: value for key, value in dashboard.items() if key not in ("panels", "rows")}))
    place, bad = next((place, found) for place, value in places if (found := _lone_surrogate(value)))
    source = text or ""
    line = next((source.count("\n", 0, match.start()) + 1 for match in _JSON_STRING.finditer(source)
                 if "\\u" in match[0] and json.loads(match[0]) == bad), 0)
    name = str(dashboard.get("title") or "")
    raise ReadError(f"dashboard {name!r}: {place + ': ' if place else ''}{bad!r} holds half of a UTF-16 surrogate "
                    "pair, which is no character (neither UTF-8 nor Grafana can hold it): write the character whole "
                    "or leave it out", line)


def holds_dashboards(document: Any) -> bool:
    """Whether a YAML document is a ConfigMap or GrafanaDashboard holding dashboard JSON."""
    return isinstance(document, dict) and any(True for _ in _manifest_dashboards(document))


def read_dashboards(path: Path, documents: list[Any] | None = None, folder: str = "",
                    source: str = "", stem: str = "", budget: Budget | None = None) -> list[ImportedDashboard]:
    """The dashboards of a JSON file, or of already parsed YAML documents, within the import's budget (their
    objects counted in it); DefinitionError naming the file."""
    budget = budget or Budget()
    where = Location(str(path), 0)
    text = None
    try:
        if documents is None:
            stem, text = stem or path.stem, read_text(path, budget)
            found = [(d, f, "", f"{stem}.json" if i == 0 else f"{stem}-{i + 1}")
                     for i, (d, f) in enumerate(_found(lined_json(text), top=True))]
        else:
            found = [item for doc in documents if isinstance(doc, dict) for item in _manifest_dashboards(doc)]
        for data, *_ in found:
            _check_characters(data, text)
        count = sum(_objects(dashboard) for dashboard, *_ in found)
        check_objects(count, "dashboards, variables, panels and queries", budget)
        budget.objects += count
    except (ValueError, KeyError, OSError) as error:
        line = error_line(error)  # in a YAML document, the file's line: JSON held in a string says its own apart
        message = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise DefinitionError(Location(str(path), line), f"cannot import: {message}") from None
    imported = []
    for data, own_folder, origin, key in found:
        # kept as written, as imported rules are: not linted, and with no description it did not have
        converted = convert(data, where, folder=folder or own_folder or "General", source=path.name, lint=False)
        imported.append(ImportedDashboard(path, source or path.name, origin, key, converted.dashboard,
                                          converted.notes, line_of(data), converted.places))
    return imported


def module_variable(dashboard: Dashboard) -> str:
    """UPPER_SNAKE_CASE module global for a dashboard."""
    name = slug(dashboard.name).replace("-", "_").upper()
    return name if name[:1].isalpha() else f"DASHBOARD_{name}"


def module_source(item: ImportedDashboard) -> str:
    """A definitions module declaring one imported dashboard."""
    where = item.source + (f" ({item.origin}, {item.key})" if item.origin else "")
    header = [
        f"Dashboard imported by `obsgen import` from {where}.",
        "",
        "Converted to Grafana's current schema; what obsgen does not model is kept verbatim in extra=.",
        "Edit it here: importing the file again replaces this module only with --force. The dashboard lint",
        "skips it (lint=False) as it skips imported rules; set lint=True once the dashboard is yours.",
    ]
    if item.notes:
        header += ["", "Import notes:", *(f"- {note}" for note in item.notes_written())]
    dashboard = item.dashboard
    # The Dashboard adds that one by itself; written when others follow it, so that the loader, which finds a
    # variable's line by its place in `variables` (load.locate), finds the variable it names, not the next one.
    if dashboard.variables == (DatasourceVariable(),):
        dashboard = dashboard.model_copy(update={"variables": dashboard.variables[1:]})
    return definitions_module(header, [(module_variable(dashboard), dashboard)])

