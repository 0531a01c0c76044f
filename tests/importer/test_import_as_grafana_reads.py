"""`obsgen import` reading dashboards as Grafana reads them (import55): Grafana 12's dashboard resources (a classic
one in a v1 resource's spec read, one of schema v2 refused at its line with what to do), warnings about panels in
rows and after dropped values naming the panel they are about, and JSON in a ConfigMap's quoted string read with
the file's lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core.errors import DefinitionError
from generator.importer.dashboards import read_dashboards
from generator.importer.write import import_files
from generator.model.identity import panel_id
from generator.scaffold import create

PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}


def _panel(old: int | None, title: str, y: int = 0, kind: str = "timeseries", **fields: Any) -> dict[str, Any]:
    panel = {"id": old, "type": kind, "title": title, "datasource": PROMETHEUS,
             "gridPos": {"h": 8, "w": 12, "x": 0, "y": y}, "targets": [{"refId": "A", "expr": "up"}], **fields}
    return panel if old is not None else {key: value for key, value in panel.items() if key != "id"}


def _first_line(text: str, written: str) -> int:
    return text[:text.index(written)].count("\n") + 1


V2_SPEC = {
    "title": "CPU overview",
    "elements": {"panel-1": {"kind": "Panel", "spec": {"id": 1, "title": "CPU", "data": {
        "kind": "QueryGroup", "spec": {"queries": [{"kind": "PanelQuery", "spec": {"refId": "A", "query": {
            "kind": "DataQuery", "group": "prometheus", "version": "v0", "spec": {"expr": "up"}}}}]}}}}},
    "layout": {"kind": "GridLayout", "spec": {"items": [{"kind": "GridLayoutItem", "spec": {
        "x": 0, "y": 0, "width": 12, "height": 8, "element": {"kind": "ElementReference", "name": "panel-1"}}}]}},
}
V2 = {"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard", "metadata": {"name": "cpu"}, "spec": V2_SPEC}
REFUSED = (r"cannot import: dashboard 'CPU overview' is a Grafana 12 schema v2 resource{version}, its panels in "
           r"spec\.elements and placed by spec\.layout, which obsgen does not read: export it from Grafana as classic "
           r"JSON \(Export > Export as JSON, the Classic model\) and import that")


@pytest.mark.parametrize("written", ["resource", "spec alone", "in a list"])
def test_a_grafana_12_schema_v2_dashboard_is_refused_at_its_line_saying_to_export_it_as_classic_json(
        tmp_path: Path, written: str) -> None:
    # Grafana 12's v2 resource: panels by name in spec.elements, placed by spec.layout (grids, rows, tabs, auto
    # grids); read as a classic one it held "no Grafana dashboard", which said neither what it is nor what to do
    value: Any = {"resource": V2, "spec alone": V2_SPEC, "in a list": [{"meta": {}}, V2]}[written]
    source = tmp_path / "cpu.json"
    text = json.dumps(value, indent=1)
    source.write_text(text)
    line = _first_line(text, '"apiVersion"') - 1 if written != "spec alone" else 1
    version = r" \(dashboard\.grafana\.app/v2beta1\)" if written != "spec alone" else ""
    create(tmp_path / "project", "grafana12")
    with pytest.raises(DefinitionError, match=rf"^{source}:{line}: {REFUSED.format(version=version)}$"):
        import_files([source], tmp_path / "project/definitions")


def test_a_grafana_12_schema_v2_dashboard_in_a_configmap_is_refused_at_its_line(tmp_path: Path) -> None:
    block = json.dumps(V2, indent=2)
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dashboards}\ndata:\n  cpu.json: |-\n"
            + "".join(f"    {line}\n" for line in block.splitlines()))
    source = tmp_path / "dashboards.yaml"
    source.write_text(text)
    create(tmp_path / "project", "grafana12")
    version = r" \(dashboard\.grafana\.app/v2beta1\)"
    with pytest.raises(DefinitionError, match=rf"^{source}:6: {REFUSED.format(version=version)}$"):
        import_files([source], tmp_path / "project/definitions")


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_a_grafana_12_v1_resource_is_read_as_the_classic_dashboard_its_spec_holds(tmp_path: Path,
                                                                                    suffix: str) -> None:
    # v0alpha1/v1beta1: Grafana 12's resource whose spec is the classic JSON (its API's and Git Sync's format)
    resource = {"apiVersion": "dashboard.grafana.app/v1beta1", "kind": "Dashboard", "metadata": {"name": "cpu"},
                "spec": {"title": "CPU", "uid": "cpu", "schemaVersion": 41, "panels": [_panel(1, "Usage")]}}
    source = tmp_path / f"cpu.{suffix}"
    source.write_text(json.dumps(resource, indent=1))  # JSON is YAML too
    create(tmp_path / "project", "grafana12")
    import_files([source], tmp_path / "project/definitions")
    (module,) = (tmp_path / "project/definitions").glob("dashboards_cpu*.py")
    assert 'name="CPU"' in module.read_text() and 'title="Usage"' in module.read_text()


def _notes(tmp_path: Path, dashboard: dict[str, Any]) -> tuple[str, dict[str, tuple[int, str]]]:
    """The file written and its warnings by topic: (line, text)."""
    source = tmp_path / "rows.json"
    text = json.dumps(dashboard, indent=2)
    source.write_text(text)
    (item,) = read_dashboards(source)
    return text, {note.split(":")[0]: (line, note) for line, note in item.notes}


def _brace(text: str, written: str) -> int:
    """The line of the opening brace of the panel whose title is `written` (or which holds the first `written`
    given with its quotes), its scalars written before it: the last line that is `{` alone above it."""
    at = _first_line(text, written if written.startswith('"') else f'"title": "{written}"')
    return max(n for n, line in enumerate(text.splitlines()[:at], 1) if line.strip() == "{")


GRAPH_NOTE = "graph panels became timeseries, Grafana's successor (settings translated as Grafana's own migration does)"
BELOW_NOTE = ("panels below a collapsed row but not in it, which Grafana shows, are now in the row and hidden until it "
              "is opened (obsgen's rows hold the panels below them)")


def test_warnings_after_a_value_left_out_or_a_saved_repeat_name_the_panel_and_index_they_are_about(
        tmp_path: Path) -> None:
    # Grafana skips what is no object in a list of panels (and obsgen leaves the copies of repeats out): the indices
    # of the lists as read were taken for the file's, so a warning after one named the panel before it (here a row)
    closed = {"id": 2, "type": "row", "title": "Closed", "collapsed": True,
              "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8}, "panels": [7, _panel(3, "In closed", 9, "graph")]}
    copy = _panel(5, "In closed", 10, "graph", repeatPanelId=3)
    dashboard = {"title": "Rows", "uid": "rows", "schemaVersion": 39,
                 "panels": [_panel(1, "Top"), "junk", closed, copy, _panel(6, "After", 10, "graph")]}
    text, notes = _notes(tmp_path, dashboard)
    graph = notes[GRAPH_NOTE]
    assert graph[0] == _brace(text, "In closed"), (graph, text)
    assert graph[1].endswith(f"'In closed', 'After' (line {_brace(text, 'After')})"), graph
    assert notes[BELOW_NOTE][1].endswith(": panels[4] 'After' below 'Closed'"), notes[BELOW_NOTE]
    assert notes[BELOW_NOTE][0] == _brace(text, "After")


def test_warnings_about_panels_of_one_title_and_no_id_name_each_ones_line(tmp_path: Path) -> None:
    # hand-written or generated JSON often has no ids: `panel 'Latency' (id None)` named the first one of the title
    eu = {"type": "row", "title": "EU", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8},
          "panels": [_panel(None, "Latency", 9, "graph")]}
    plugin = _panel(None, "Latency", 10, "some-plugin-panel")
    dashboard = {"title": "Rows", "uid": "rows", "schemaVersion": 39,
                 "panels": [_panel(None, "Latency"), eu, plugin]}
    text, notes = _notes(tmp_path, dashboard)
    second, third = (_brace(text, f'"type": "{kind}"') for kind in ("graph", "some-plugin-panel"))
    assert notes["panel types obsgen does not model, kept verbatim"][0] == third
    renamed = notes["titles repeated or empty, renamed in the definitions (panel ids derive from titles) and shown "
                    "as before"]
    assert renamed == (second, f"{renamed[1].split(': ')[0]}: 'Latency' x2 (lines {second}, {third})"), renamed


def test_warnings_about_old_style_rows_after_a_value_left_out_name_their_panel(tmp_path: Path) -> None:
    # schema < 16: rows[i].panels[j], indexed as read after a row or panel that is no object was left out
    def old(old_id: int, title: str, kind: str) -> dict[str, Any]:
        return {"id": old_id, "type": kind, "title": title, "span": 6, "targets": [{"refId": "A", "expr": "up"}]}

    dashboard = {"title": "Old", "uid": "old", "schemaVersion": 14, "rows": [
        {"title": "First", "showTitle": True, "panels": [old(1, "A", "timeseries")]}, None,
        {"title": "Closed", "collapse": True, "panels": ["x", old(3, "C", "timeseries"), old(4, "D", "some-plugin")]},
        {"title": "Last", "panels": [[], old(6, "F", "singlestat")]}]}
    text, notes = _notes(tmp_path, dashboard)
    assert notes["panel types obsgen does not model, kept verbatim"][0] == _brace(text, "D")
    assert notes["singlestat panels became stat, Grafana's successor (settings translated as Grafana's own "
                 "migration does)"][0] == _brace(text, "F")


def test_an_error_about_one_of_two_panels_of_one_title_and_no_id_names_its_line(tmp_path: Path) -> None:
    broken = _panel(None, "Odd", 8, "stat", fieldConfig={"defaults": {"mappings": [
        {"type": "value", "options": {"up": 5}}]}})  # an option that is no object
    source = tmp_path / "odd.json"
    text = json.dumps({"title": "Odd", "uid": "odd", "schemaVersion": 39, "panels": [_panel(None, "Odd"), broken]},
                      indent=2)
    source.write_text(text)
    with pytest.raises(DefinitionError) as raised:
        read_dashboards(source)
    brace = _first_line(text, '"type": "stat"') - 1
    assert str(raised.value).startswith(f"{source}:{brace}: cannot import dashboard 'Odd': panel 'Odd' (id None): "
                                        "AttributeError"), (brace, str(raised.value))


@pytest.mark.parametrize(("style", "kind"), [('"', "ConfigMap"), ("'", "ConfigMap"), ('"', "GrafanaDashboard")])
def test_a_manifests_dashboard_in_a_quoted_string_is_read_with_the_files_lines(tmp_path: Path, style: str,
                                                                              kind: str) -> None:
    # kubectl (go-yaml) writes a ConfigMap's JSON with trailing spaces as a double-quoted string folded over the
    # file's lines ("{\n  \"id\"...\ <newline> ..."): its warnings named no line, a literal block's named the panel's
    dashboard = {"title": "Quoted", "uid": "quoted", "schemaVersion": 39,
                 "panels": [_panel(1, "CPU", kind="graph"), _panel(2, "Memory", 8, "graph"), _panel(3, "Disk", 16)]}
    written = json.dumps(dashboard, indent=2) + " \n"
    manifest = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "dashboards"},
                **({"data": {"quoted.json": written}} if kind == "ConfigMap" else {"spec": {"json": written}})}
    text = yaml.dump(manifest, default_style='"', width=60, sort_keys=False)
    if style == "'":  # (pyyaml quotes such a string with "): each line of the JSON, a blank line for its newline
        folded = "\n\n    ".join(line.replace("'", "''") for line in written.splitlines())
        text = f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: dashboards}}\ndata:\n  quoted.json: '{folded}'\n"
    source = tmp_path / "dashboards.yaml"
    source.write_text(text)
    (held,) = yaml.safe_load(text)["data" if kind == "ConfigMap" else "spec"].values()
    assert json.loads(held) == dashboard
    assert text.count("\n") > 20  # folded over the file's lines

    def brace(old: int) -> int:  # the file's line of the `{` of the panel of that id
        at = text.index(f'id\\": {old}' if style == '"' else f'"id": {old}')
        return text.count("\n", 0, text.rindex("{", 0, at)) + 1

    create(tmp_path / "project", "quoted")
    notes = [note for note in import_files([source], tmp_path / "project/definitions").notes if "Quoted" in note]
    renumbered = next(note for note in notes if "renumbered" in note)
    assert renumbered.startswith(f"{source}:{brace(1)}: dashboard Quoted: panel ids renumbered"), (renumbered, text)
    assert f"2 -> {panel_id('Memory')} (line {brace(2)}), 3 -> {panel_id('Disk')} (line {brace(3)})" in renumbered
    graphs = next(note for note in notes if "graph panels" in note)
    assert graphs.endswith(f"'CPU', 'Memory' (line {brace(2)})"), graphs


@pytest.mark.parametrize("mark", ["", "\ufeff"])
def test_a_quoted_string_on_the_first_line_of_a_file_with_a_byte_order_mark_keeps_its_lines(tmp_path: Path,
                                                                                           mark: str) -> None:
    # libyaml counts no column for a byte order mark: the string cut from its marks began one character early
    # (`"` missed, read as single-quoted) and the JSON's objects were placed several lines off
    dashboard = {"title": "Quoted", "uid": "quoted", "schemaVersion": 39,
                 "panels": [_panel(1, "CPU"), _panel(2, "Memory", 8), _panel(3, "Disk", 16)]}
    folded = yaml.dump(json.dumps(dashboard, indent=2), default_style='"', width=60).rstrip("\n")
    text = (f'{mark}{{"data": {{"quoted.json": {folded.replace(chr(10), chr(10) + "  ")}}},\n'
            '  "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dashboards"}}\n')
    source = tmp_path / "dashboards.yaml"
    source.write_text(text, encoding="utf-8")
    assert text.index('"{') < text.index("\n")  # the JSON's string starts on the file's first line

    def brace(old: int) -> int:  # the file's line of the `{` of the panel of that id
        at = text.index(f'id\\": {old}')
        return text.count("\n", 0, text.rindex("{", 0, at)) + 1

    create(tmp_path / "project", "quoted")
    notes = [note for note in import_files([source], tmp_path / "project/definitions").notes if "Quoted" in note]
    renumbered = next(note for note in notes if "renumbered" in note)
    assert f"2 -> {panel_id('Memory')} (line {brace(2)}), 3 -> {panel_id('Disk')} (line {brace(3)})" in renumbered
