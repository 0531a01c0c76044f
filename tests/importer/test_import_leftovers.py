"""`obsgen import` of dashboards' leftovers (import56): a text panel carrying queries (Grafana keeps them and runs
none), links to panels written without an id (Grafana gives them one as it loads the dashboard) or naming no panel,
and Grafana's dashboard list, kept as Grafana reads it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from generator.build import build
from generator.importer.dashboards import read_dashboards
from generator.importer.write import import_files
from generator.model import Panel
from generator.scaffold import create

PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}


def _panel(old: int | None, title: str, y: int, kind: str = "timeseries", **fields: Any) -> dict[str, Any]:
    panel = {"type": kind, "title": title, "datasource": PROMETHEUS, "gridPos": {"h": 4, "w": 12, "x": 0, "y": y},
             "targets": [{"refId": "A", "expr": "up"}], **fields}
    return panel | ({"id": old} if old is not None else {})


def _line(text: str, title: str) -> int:
    """The line of the opening brace of the panel titled so (json.dumps, indent=2: the `{` alone above its title)."""
    at = text[:text.index(f'"title": "{title}"')].count("\n") + 1
    return max(n for n, line in enumerate(text.splitlines()[:at], 1) if line.strip() == "{")


def _link(number: int) -> dict[str, Any]:
    return {"title": f"to {number}", "url": f"/d/leftovers/leftovers?viewPanel={number}"}


# Grafana loads it (DashboardModel.ensurePanelsHaveUniqueIds, panels as written, a row's after it): A keeps 2, B
# (no id) is given 10 (the highest written is 9), C (2 again, A's) 11, the row 12, D in it 13. A links to each, and
# to 99, which no panel has.
DASHBOARD: dict[str, Any] = {"title": "Leftovers", "uid": "leftovers", "schemaVersion": 39, "panels": [
    _panel(2, "A", 0, links=[_link(10), _link(11), _link(13), _link(99)]),
    _panel(None, "B", 4),
    _panel(2, "C", 8),
    # a text panel keeps the targets it had as another type (many exported dashboards have them)
    _panel(7, "", 12, "text", options={"mode": "markdown", "content": "# Runbook"}),
    _panel(8, "Notes", 16, "text", options={"mode": "markdown", "content": ""}),
    {"id": 9, "type": "dashlist", "title": "Others", "gridPos": {"h": 4, "w": 12, "x": 0, "y": 20},
     "options": {"showStarred": False, "showSearch": True, "query": "prod", "tags": ["team-a"], "maxItems": 5}},
    {"type": "row", "title": "R", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 24},
     "panels": [_panel(None, "D", 25)]},
]}
TEXT_NOTE = "text panels' queries kept verbatim (Grafana keeps them and runs none: the panel shows its content only)"
NONE_NOTE = ("links to this dashboard's panels by ids no panel has, even as Grafana loads it (viewPanel=, "
             "editPanel=, panelId=), kept as written: they open no panel")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[tuple[int, str]], dict[str, Any]]:
    """The dashboard's text, its import notes ((line, note)), and the dashboard obsgen builds from it."""
    root = tmp_path_factory.mktemp("leftovers")
    source = root / "leftovers.json"
    text = json.dumps(DASHBOARD, indent=2)
    source.write_text(text)
    (item,) = read_dashboards(source)
    create(root / "project", "leftovers")
    import_files([source], root / "project/definitions")
    build(root / "project/definitions", root / "out")
    (built,) = [json.loads(path.read_text()) for path in (root / "out/grafana/dashboards").rglob("*.json")
                if json.loads(path.read_text())["title"] == "Leftovers"]
    return text, item.notes, built


def _noted(notes: list[tuple[int, str]], topic: str) -> tuple[int, str]:
    """(line, what it names) of the note of a topic."""
    (found,) = [(line, note.removeprefix(f"{topic}: ")) for line, note in notes if note.startswith(f"{topic}: ")]
    return found


def _built_panels(built: dict[str, Any]) -> dict[str, dict[str, Any]]:
    listed = [*built["panels"], *(inner for panel in built["panels"] for inner in panel.get("panels") or [])]
    return {panel["title"]: panel for panel in listed}


def test_a_text_panel_carrying_queries_keeps_them_as_grafana_does_noted_at_its_line(
        imported: tuple[str, list[tuple[int, str]], dict[str, Any]]) -> None:
    # before: `cannot import dashboard 'Leftovers': panel '' (id 7): ValidationError: 1 validation error for Panel`
    text, notes, built = imported
    assert _noted(notes, TEXT_NOTE) == (_line(text, ""), f"'', 'Notes' (line {_line(text, 'Notes')})")
    panels = _built_panels(built)
    for title, content in (("", "# Runbook"), ("Notes", "")):
        panel = panels[title]
        assert (panel["type"], panel["targets"], panel["options"].get("content", "")) == (
            "text", [{"refId": "A", "expr": "up"}], content), panel


def test_a_models_refusal_of_a_panel_is_said_in_its_words_not_pydantics() -> None:
    from generator.interop.grafana_json import _said  # here: the old tree had none, and its other tests ran

    with pytest.raises(ValidationError) as raised:
        Panel(title="x", kind="text", content="")
    assert _said(raised.value) == "text panel 'x' takes content and no queries"


def test_links_to_panels_given_an_id_as_grafana_loads_them_open_the_same_panel_after_import(
        imported: tuple[str, list[tuple[int, str]], dict[str, Any]]) -> None:
    # before: viewPanel=3, 4 and 6 were kept as written, naming no panel obsgen writes (its ids derive from titles)
    text, notes, built = imported
    panels = _built_panels(built)
    urls = [link["url"] for link in panels["A"]["links"]]
    assert urls == [f"/d/leftovers/leftovers?viewPanel={panels[title]['id']}" for title in ("B", "C", "D")] + [
        "/d/leftovers/leftovers?viewPanel=99"], urls
    assert _noted(notes, NONE_NOTE) == (_line(text, "A"), "'/d/leftovers/leftovers?viewPanel=99'")
    renumbered = _noted(notes, "panel ids renumbered (obsgen derives them from titles): bookmarks and embeds of the "
                               "dashboard with viewPanel= or panelId= of the old id no longer open the panel")[1]
    assert f"10 (given at load) -> {panels['B']['id']} (line {_line(text, 'B')})" in renumbered, renumbered


def test_a_dashboard_list_is_kept_as_grafana_reads_it_noted_at_its_line(
        imported: tuple[str, list[tuple[int, str]], dict[str, Any]]) -> None:
    text, notes, built = imported
    assert _noted(notes, "panel types obsgen does not model, kept verbatim") == (_line(text, "Others"), "dashlist")
    panel, written = _built_panels(built)["Others"], DASHBOARD["panels"][5]["options"]
    assert panel["type"] == "dashlist" and {key: panel["options"][key] for key in written} == written, panel
