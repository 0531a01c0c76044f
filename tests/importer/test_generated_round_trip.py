"""`obsgen import` of the dashboards obsgen writes gives them back: built again, the same JSON; read, the queries the
definitions wrote (a trace link as its selector with exemplars_only, not as the `@ 0` expression it renders to)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import build, load
from generator.core.errors import Location
from generator.importer.write import import_files
from generator.interop.grafana_json import convert
from generator.model import Dashboard, Query
from generator.model.panels import source_promql
from generator.model.project import Project
from generator.scaffold import create
from generator.targets.grafana import BUILTIN_ANNOTATION
from tests.conftest import ROOT

SHIPPED = ROOT / "out"
DASHBOARDS = sorted((SHIPPED / "grafana/dashboards").rglob("*.json"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A new project with every shipped dashboard imported into its folder, and the out/ it builds."""
    root = tmp_path_factory.mktemp("round-trip")
    create(root / "project", "round-trip")
    definitions = root / "project/definitions"
    for folder in sorted({path.parent for path in DASHBOARDS}):
        import_files(sorted(folder.glob("*.json")), definitions, folder=folder.name)
    build(definitions, root / "out")
    return definitions, root / "out"


def _queries(dashboard: Dashboard) -> dict[str, tuple[Query, ...]]:
    return {panel.title: panel.queries for panel in dashboard.all_panels}


def test_every_shipped_dashboard_is_imported_as_its_own_trace_links_and_queries(
        imported: tuple[Path, Path], project: Project) -> None:
    back = load(imported[0]).by_name(Dashboard)
    links = 0
    for shipped in project.all(Dashboard):
        panels = _queries(back[shipped.name])
        for panel in shipped.all_panels:
            read = [(q.exemplars_only, q.exemplars, source_promql(q.expr), q.legend) for q in panels[panel.title]]
            assert read == [(q.exemplars_only, q.exemplars, source_promql(q.expr), q.legend) for q in panel.queries], (
                shipped.name, panel.title)
            links += sum(q.exemplars_only for q in panel.queries)
    assert links == 3  # Development's heatmap and response times, Operations' response times


@pytest.mark.parametrize("path", DASHBOARDS, ids=[path.name for path in DASHBOARDS])
def test_every_shipped_dashboard_builds_back_to_the_same_json(imported: tuple[Path, Path], path: Path) -> None:
    rebuilt = imported[1] / path.relative_to(SHIPPED)  # in its folder, under its uid
    assert json.loads(rebuilt.read_text()) == json.loads(path.read_text())
    assert rebuilt.read_bytes() == path.read_bytes()


def _annotations_kept(annotations: list[dict[str, object]]) -> object:
    source = json.loads((SHIPPED / "grafana/dashboards/Development/development.json").read_text())
    converted = convert({**source, "annotations": {"list": annotations}}, Location("development.json", 0), "General")
    return converted.dashboard.extra.get("annotations", {}).get("list")


def test_the_built_in_annotation_is_kept_once_ahead_of_the_others() -> None:
    deploys = {"name": "Deploys", "datasource": {"type": "prometheus", "uid": "${datasource}"}, "enable": True,
               "expr": "changes(app_build_info[1m]) > 0"}
    assert _annotations_kept([BUILTIN_ANNOTATION]) is None  # what obsgen writes anyway
    assert _annotations_kept([]) is None  # Grafana adds the built-in one to a dashboard without it
    assert _annotations_kept([BUILTIN_ANNOTATION, deploys]) == [BUILTIN_ANNOTATION, deploys]
    assert _annotations_kept([deploys]) == [BUILTIN_ANNOTATION, deploys]
    hidden = {**BUILTIN_ANNOTATION, "enable": False}
    assert _annotations_kept([hidden, deploys]) == [hidden, deploys]
