"""Whatever JSON a Grafana export can hold, `obsgen import` reads it or says in one line which file and JSON path
it cannot read: never a traceback. Corpus dashboards are mutated at random places (hypothesis) to prove it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import load
from generator.core.errors import DefinitionError
from generator.importer.dashboards import module_source, read_dashboards
from generator.importer.write import import_files
from generator.model import Dashboard
from generator.scaffold import create
from tests.gitops.helpers import ROOT

CORPUS = ROOT / "tests/data/corpus"
REDIS = CORPUS / "redis_exporter/redis-0.3x.json"  # Grafana 3 era: graph and singlestat, series overrides
SMALL = [REDIS, *sorted((CORPUS / "grafana").glob("*.json")),
         CORPUS / "ingress-nginx/request-handling-performance.json"]
# What a hand-edited or tool-written export holds where something else was expected.
ODD_VALUES: st.SearchStrategy[object] = st.sampled_from([None, [], {}, "", "12", "twelve", 12, -3.5, True,
                                                        [[{"alias": "x"}]], [None], {"nested": [[]]}, "${DS_GONE}",
                                                        "__auto", 1e308])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every JSON path inside a value."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(document: dict[str, Any], path: tuple[Any, ...], how: str, odd: Any) -> None:
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete" and isinstance(parent, dict):
        del parent[last]
    elif how == "nest":
        parent[last] = [parent[last]]  # a value wrapped in a list, as in series overrides seen in the wild
    elif how == "plugin" and isinstance(parent, dict) and last == "type":
        parent[last] = "acme-unknown-panel"
    elif how == "library" and isinstance(parent, dict):
        parent["libraryPanel"] = {"uid": "lib-1", "name": "shared panel"}
    else:
        parent[last] = copy.deepcopy(odd)  # never the strategy's own object: later mutations would change it


def _imports_or_names_where(path: Path) -> None:
    """Read, convert and write the module of every dashboard in the file; a DefinitionError must name the file."""
    try:
        for item in read_dashboards(path):
            compile(module_source(item), str(path), "exec")
    except DefinitionError as error:
        assert str(error).startswith(f"{path}:") and "\n" not in str(error), str(error)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_corpus_dashboards_import_or_fail_in_one_line(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(SMALL), label="dashboard")
    document = json.loads(source.read_text())
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        paths = _paths(document)
        if not paths:
            break
        where = data.draw(st.sampled_from(paths), label="path")
        how = data.draw(st.sampled_from(["replace", "delete", "nest", "plugin", "library"]), label="how")
        _mutate(document, where, how, data.draw(ODD_VALUES, label="value"))
    mutated = tmp_path / "mutated.json"
    mutated.write_text(json.dumps(document))
    _imports_or_names_where(mutated)


def test_a_graph_whose_series_overrides_hold_nested_lists_imports(tmp_path: Path) -> None:
    # A shipped dashboard whose seriesOverrides held [[{...}]] stopped a whole batch with AttributeError.
    dashboard = json.loads(REDIS.read_text())
    expired = next(p for p in dashboard["panels"] if p["title"] == "Expired / Evicted")
    expired["seriesOverrides"] = [[{"alias": "evicted", "color": "#890F02"}], *expired["seriesOverrides"]]
    source = tmp_path / "nested-overrides.json"
    source.write_text(json.dumps(dashboard))
    create(tmp_path / "project", "nested")
    report = import_files([source], tmp_path / "project/definitions")
    assert report.dashboards == 1
    imported = load(tmp_path / "project/definitions").all(Dashboard)
    assert dashboard["title"] in {board.title or board.name for board in imported}
    index = dashboard["panels"].index(expired)
    assert any(f"panels[{index}].seriesOverrides[0] (expected an object, got list)" in note for note in report.notes)


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d["panels"][0].update(gridPos=[1, 2]), "panels[0].gridPos (expected an object, got list)"),
    (lambda d: d["panels"][0].update(targets="up"), "panels[0].targets (expected a list of objects, got str)"),
    (lambda d: d.update(templating={"list": [["x"]]}), "templating.list[0] (expected an object, got list)"),
    (lambda d: d["panels"].append("a panel"), "panels[12] (expected an object, got str)"),
])
def test_a_value_of_the_wrong_type_is_left_out_naming_its_json_path(tmp_path: Path, change: Any, where: str) -> None:
    dashboard = copy.deepcopy(json.loads(REDIS.read_text()))
    change(dashboard)
    source = tmp_path / "odd.json"
    source.write_text(json.dumps(dashboard))
    (item,) = read_dashboards(source)
    assert any(where in note for _, note in item.notes), item.notes


def test_numbers_written_as_strings_are_read_as_numbers(tmp_path: Path) -> None:
    dashboard = json.loads(REDIS.read_text())
    uptime = dashboard["panels"][0]
    uptime.update(decimals="0", gridPos={"h": "7", "w": "2", "x": "0", "y": "0"})
    source = tmp_path / "strings.json"
    source.write_text(json.dumps(dashboard))
    (item,) = read_dashboards(source)
    panel = item.dashboard.all_panels[0]
    assert (panel.decimals, panel.width, panel.height) == (0, 2, 7)
