"""`obsgen import` of a dashboard whose panel, query or variable definitions/ would refuse: named at its line in the
file imported (the user fixes that file, not the module the import would write), as import56 names a refused rule;
and a "-- Dashboard --" query naming no panel, noted at its line as a link naming none is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.core.errors import DefinitionError
from generator.importer.dashboards import read_dashboards
from generator.importer.write import import_files
from tests.importer.conftest import base_definitions

BAD = 'sum(rate(http_requests_total{path=~"a{1001}"}[5m]))'  # Go's regexp refuses it; promql-parser takes it
REFUSED = ('Prometheus refuses the selector http_requests_total{path=~"a{1001}"}: error parsing regexp: invalid '
           "repeat count")


def _panel(title: str, y: int, *exprs: str) -> dict[str, Any]:
    return {"type": "timeseries", "title": title, "gridPos": {"h": 4, "w": 12, "x": 0, "y": y},
            "targets": [{"refId": chr(65 + n), "expr": expr, "legendFormat": "{{job}}"}
                        for n, expr in enumerate(exprs)]}


def _line(text: str, needle: str, after: str = "") -> int:
    """The line of the first `needle` written after `after`."""
    return text[:text.index(needle, text.index(after))].count("\n") + 1


def _refused(source: Path, tmp_path: Path) -> str:
    definitions = base_definitions(tmp_path / "project")
    with pytest.raises(DefinitionError) as raised:
        import_files([source], definitions)
    assert not list(definitions.glob("dashboards_*.py"))
    return str(raised.value)


PANELS = {  # where the panel whose second query definitions/ would refuse is
    "on the dashboard": [_panel("Fine", 0, "up"), _panel("Bad", 4, "up", BAD)],
    "in a collapsed row": [_panel("Fine", 0, "up"), {"type": "row", "title": "R", "collapsed": True,
                                                     "gridPos": {"h": 1, "w": 24, "x": 0, "y": 4},
                                                     "panels": [_panel("Bad", 5, "up", BAD)]}],
}


@pytest.mark.parametrize("place", PANELS)
def test_a_query_definitions_would_refuse_is_named_at_its_expression_in_the_file(tmp_path: Path, place: str) -> None:
    # before: `.../definitions/dashboards_lines.py:61: dashboard Lines panel 'Bad': Prometheus refuses the selector
    # ...`, a line of a module the failed import never wrote; the user fixes the dashboard's JSON
    text = json.dumps({"title": "Lines", "uid": "lines", "schemaVersion": 39, "panels": PANELS[place]}, indent=2)
    source = tmp_path / "lines.json"
    source.write_text(text)
    said = _refused(source, tmp_path)
    assert said.startswith(f"{source}:{_line(text, 'a{1001}')}: dashboard Lines panel 'Bad': {REFUSED}"), said
    assert "/dashboards_lines.py:" in said and "fix it in the file and import it again" in said, said


def test_a_query_refused_in_a_config_maps_dashboard_is_named_at_its_line_of_the_manifest(tmp_path: Path) -> None:
    dashboard = json.dumps({"title": "Held", "uid": "held", "schemaVersion": 39,
                            "panels": [_panel("Bad", 0, "up", BAD)]}, indent=2)
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\ndata:\n  held.json: |\n"
            + "".join(f"    {line}\n" for line in dashboard.splitlines()))
    source = tmp_path / "held.yaml"
    source.write_text(text)
    assert _refused(source, tmp_path).startswith(f"{source}:{_line(text, 'a{1001}')}: dashboard Held panel 'Bad': ")


def test_a_variable_definitions_would_refuse_is_named_at_its_query_not_the_next_ones(tmp_path: Path) -> None:
    # before: named at the module's next variable (the loader counts the $datasource variable the Dashboard adds
    # ahead of those written), whose query line is the one the error gave
    def variable(name: str, query: str) -> dict[str, Any]:
        return {"name": name, "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "query": query, "refresh": 1}

    text = json.dumps({"title": "Vars", "uid": "vars", "schemaVersion": 39, "panels": [_panel("P", 0, "up")],
                       "templating": {"list": [variable("path", f"label_values({BAD[9:-6]}, path)"),
                                               variable("job", "label_values(up, job)")]}}, indent=2)
    source = tmp_path / "vars.json"
    source.write_text(text)
    said = _refused(source, tmp_path)
    assert said.startswith(f"{source}:{_line(text, 'a{1001}')}: dashboard Vars variable path: {REFUSED}"), said


def test_a_dashboard_query_naming_no_panel_is_noted_at_its_line(tmp_path: Path) -> None:
    reader = {"type": "timeseries", "title": "Again", "gridPos": {"h": 4, "w": 12, "x": 0, "y": 4},
              "datasource": {"type": "datasource", "uid": "-- Dashboard --"},
              "targets": [{"refId": "A", "panelId": 1}, {"refId": "B", "panelId": 7}]}
    text = json.dumps({"title": "Reads", "uid": "reads", "schemaVersion": 39,
                       "panels": [_panel("Source", 0, "up") | {"id": 1}, reader | {"id": 2}]}, indent=2)
    source = tmp_path / "reads.json"
    source.write_text(text)
    notes = read_dashboards(source)[0].notes
    # before: kept as written, without a note (only links to no panel were noted)
    assert (_line(text, '"panelId": 7'), "panels showing another panel's queries (-- Dashboard --) by an id no panel "
            "has, even as Grafana loads it, kept as written: they show no data: 'Again' panelId=7") in notes, notes
