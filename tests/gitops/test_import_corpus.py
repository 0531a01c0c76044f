"""`obsgen import` on a public corpus (tests/data/corpus): every dashboard and rule file of eight projects is
imported into an `obsgen init` project and built; each built dashboard must mean what Grafana makes of the
original, field by field, and each rule must come back as written.

The differences allowed are those Grafana's own migrations make, and the few obsgen makes on purpose (it
warns about each); MANDATED lists them with the Grafana function each follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pytest
import yaml

from generator.build import build
from generator.importer.write import ImportReport, import_files
from generator.scaffold import create
from tests.gitops.grafana_meaning import dashboard_meaning
from tests.gitops.helpers import ROOT, source_groups

CORPUS = ROOT / "tests/data/corpus"
MANIFEST: list[dict[str, str]] = yaml.safe_load((CORPUS / "manifest.yaml").read_text())
FILES = [(CORPUS / entry["file"]).resolve() for entry in MANIFEST]
MANDATED = {
    "panel type": "graph -> timeseries, singlestat -> stat, the angular table -> table: DashboardMigrator's "
                  "autoMigrateOldPanels with graphToTimeseriesOptions (timeseries/migrations.ts), "
                  "sharedSingleStatPanelChangedHandler (stat) and tablePanelChangedHandler (table/migrations.ts)",
    "graph thresholds": "steps compared by value: their colours come from each threshold's colorMode "
                        "(convertExistingThresholds, backend schemaversion/v13.go, adds a transparent base step)",
    "panel links": "old dashboard links (dashboard, dashUri, keepTime, includeVars, params) become URLs: "
                   "DashboardMigrator's upgradePanelLink (schema 19); every field a data link reads is compared",
    "datasource variable": "the Prometheus data source variable is named `datasource` and added when missing, so "
                           "every query runs on the data source obsgen provisions, which it selects when the original "
                           "selected none (Grafana selects its default data source; obsgen's own, warned)",
    "untitled dashboard": "a dashboard without a title is named after its file (Grafana shows 'No Title'; "
                          "obsgen needs a unique name per dashboard, warned)",
    "empty queries": "targets without an expression query nothing and are left out (warned)",
}


@dataclass
class Imported:
    """The init project the corpus was imported into, its out/, and the import's report."""

    definitions: Path
    out: Path
    report: ImportReport


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    root = tmp_path_factory.mktemp("corpus")
    create(root, "corpus")
    report = import_files(FILES, root / "definitions")
    build(root / "definitions", root / "out")
    return Imported(root / "definitions", root / "out", report)


def _dashboards() -> list[tuple[str, str, dict[str, Any]]]:
    """(id, file, dashboard) of every dashboard of the corpus, ConfigMaps' included."""
    found = []
    for entry, path in zip(MANIFEST, FILES, strict=True):
        if entry["kind"] != "dashboards":
            continue
        if path.suffix == ".json":
            found.append((path.name, path.name, json.loads(path.read_text())))
            continue
        for config_map in yaml.safe_load(path.read_text())["items"]:
            found += [(key, path.name, json.loads(text)) for key, text in config_map["data"].items()]
    return found


DASHBOARDS = _dashboards()


def _built(out: Path, title: str) -> dict[str, Any]:
    found = [json.loads(p.read_text()) for p in (out / "grafana/dashboards").rglob("*.json")]
    (dashboard,) = [d for d in found if d["title"] == title]
    return dict(dashboard)


def _as_obsgen_names_it(meaning: dict[str, Any], file: str) -> dict[str, Any]:
    """The original's meaning with the differences MANDATED allows applied."""
    meaning = dict(meaning)
    meaning["title"] = meaning["title"] or PurePath(file).stem
    variables = [dict(v) for v in meaning["variables"]]
    prometheus = [v for v in variables if v["type"] == "datasource" and v["query"] == "prometheus"]
    if prometheus and not any(v["name"] == "datasource" for v in variables):
        prometheus[0]["name"] = prometheus[0]["label"] = "datasource"
    for variable in prometheus:
        variable["current"] = variable["current"] or "prometheus"
    meaning["variables"] = variables
    return meaning


def _without_added_datasource(built: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    if any(v["name"] == "datasource" for v in original["variables"]):
        return built
    return built | {"variables": [v for v in built["variables"] if v["name"] != "datasource"]}


def test_the_corpus_spans_eight_projects_old_and_new_schemas_with_sources_and_licences() -> None:
    projects = {entry["project"] for entry in MANIFEST}
    rule_files = [entry for entry in MANIFEST if entry["kind"] == "rules"]
    schemas = {int(d.get("schemaVersion") or 0) for _, _, d in DASHBOARDS}
    assert len(projects) >= 8 and len(DASHBOARDS) >= 40 and len(rule_files) >= 10
    assert min(schemas) < 16 <= 39 <= max(schemas)  # panels in rows, graph and singlestat, up to current
    for entry, path in zip(MANIFEST, FILES, strict=True):
        assert path.is_file() and all(entry.get(key) for key in ("repo", "path", "commit", "licence")), entry
    print(f"corpus: {len(FILES)} files, {len(projects)} projects, {len(DASHBOARDS)} dashboards, "
          f"{len(rule_files)} rule files, schema versions {sorted(schemas)}")


def test_the_whole_corpus_imports_in_one_command_and_builds(imported: Imported) -> None:
    report = imported.report
    assert report.dashboards == len(DASHBOARDS)
    assert report.groups > 0 and report.alerts + report.records > 0
    assert (imported.out / "prometheus/prometheus.yml").is_file()
    print(f"imported: {len(report.modules)} modules, {report.dashboards} dashboards ({report.panels} panels), "
          f"{report.groups} groups, {report.alerts} alerts, {report.records} recording rules")


@pytest.mark.parametrize(("key", "file", "source"), DASHBOARDS, ids=[key for key, _, _ in DASHBOARDS])
def test_each_dashboard_means_what_grafana_makes_of_the_original(imported: Imported, key: str, file: str,
                                                                 source: dict[str, Any]) -> None:
    expected = _as_obsgen_names_it(dashboard_meaning(source), file)
    built = _without_added_datasource(dashboard_meaning(_built(imported.out, expected["title"])), expected)
    for field in ("title", "tags", "timezone", "graphTooltip", "editable", "refresh", "time", "links",
                  "annotations", "variables"):
        assert built[field] == expected[field], f"{key}: {field}"
    assert [p["title"] for p in built["panels"]] == [p["title"] for p in expected["panels"]], key
    for made, original in zip(built["panels"], expected["panels"], strict=True):
        if all(isinstance(step, float) for step in original.get("thresholds", ((),))):  # a graph's: by value
            made = made | {"thresholds": tuple(value for value, _ in made["thresholds"] if value is not None)}
        if original["options"] is None:  # an old type's: what Grafana's migration makes of its settings (above)
            made = made | {"options": None}
        assert made == original, f"{key}: panel {original['title']!r}"


@pytest.mark.parametrize("path", [p for e, p in zip(MANIFEST, FILES, strict=True) if e["kind"] == "rules"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_rule_comes_back_with_every_field_as_written(imported: Imported, path: Path) -> None:
    sources = {group["name"]: group for group in source_groups(path)}
    rebuilt = {}
    for rule_file in (imported.out / "prometheus/rules").glob("ruleset-*.yml"):
        for group in yaml.safe_load(rule_file.read_text())["groups"]:
            if group["name"] in sources:
                rebuilt[group["name"]] = group
    assert rebuilt == sources
