"""`obsgen import` saying where and keeping meaning (import53): custom variables' `text : value` items split as
Grafana splits them, links to a panel by its old id following it to its new one, YAML aliases accepted within a
bound on what they expand to, and every error about a rule file or dashboard naming its file:line."""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from generator.core.errors import DefinitionError, Location
from generator.core.grafana_interpolation import custom_labelled_options
from generator.core.untrusted import ReadError
from generator.core.yaml_as_written import load_yaml_as_written
from generator.derive.dashboards import values_of
from generator.derive.variable_json import variable_json
from generator.importer.dashboards import read_dashboards
from generator.importer.rulefiles import read_rules
from generator.importer.write import import_files
from generator.interop.grafana_json import convert
from generator.model import CustomVariable, ImportedAlert
from generator.model.identity import panel_id
from generator.scaffold import create

PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}


def _dashboard(*panels: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"title": "Shapes", "uid": "shapes", "schemaVersion": 39, "panels": list(panels), **fields}


def _timeseries(panel_id: int, title: str, y: int = 0, **fields: Any) -> dict[str, Any]:
    return {"id": panel_id, "type": "timeseries", "title": title, "datasource": PROMETHEUS,
            "gridPos": {"h": 8, "w": 12, "x": 0, "y": y},
            "targets": [{"refId": "A", "expr": "up", "datasource": PROMETHEUS}], **fields}


@pytest.mark.parametrize("options", [[], "as exported"])
def test_a_custom_variables_text_colon_value_items_are_split_as_grafana_splits_them(options: Any) -> None:
    # scenes' CustomVariable.transformCsvStringToOptions: /^\s*(.+)\s:\s(.+)$/ on each item, the text before the
    # (last) spaced colon shown, the value after it sent as $env; an item without one is both
    exported = [{"text": "prod", "value": "production", "selected": False},
                {"text": "dev", "value": "development", "selected": True},
                {"text": "a:b", "value": "a:b", "selected": False}]
    variable = {"type": "custom", "name": "env", "query": "prod : production,dev : development,a:b",
                "current": {"text": "dev", "value": "development"},
                "options": exported if options == "as exported" else options}
    converted = convert(_dashboard(_timeseries(1, "Up"), templating={"list": [variable]}), Location("s.json", 1))
    (env,) = [v for v in converted.dashboard.variables if v.name == "env"]
    written = variable_json(env)
    assert written["options"] == exported
    assert written["current"] == {"text": "dev", "value": "development"}
    assert written["query"] == variable["query"]
    assert values_of([env])["env"] == "development"



def test_a_custom_variables_option_holding_a_comma_is_one_option_in_the_written_query() -> None:
    # Grafana reads `\\,` as a comma inside an item: written unescaped, one option was two in Grafana, the lint
    # and the preview, and an imported one kept its query verbatim (extra=) to stay one
    region = CustomVariable(name="region", options=("eu,west : eu-west", "us"))
    written = variable_json(region)
    assert custom_labelled_options(written) == [("eu,west", "eu-west"), ("us", "us")]
    assert [(o["text"], o["value"]) for o in written["options"]] == custom_labelled_options(written)
    variable = {"type": "custom", "name": "region", "query": "eu\\,west : eu-west,us", "current": {"value": "eu-west"}}
    converted = convert(_dashboard(_timeseries(1, "Up"), templating={"list": [variable]}), Location("s.json", 1))
    (imported,) = [v for v in converted.dashboard.variables if v.name == "region"]
    assert isinstance(imported, CustomVariable) and (imported.options, imported.extra) == (region.options, {})

def _urls(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [url for key, item in value.items()
                for url in ([item] if key == "url" and isinstance(item, str) else _urls(item))]
    return [url for item in value for url in _urls(item)] if isinstance(value, list | tuple) else []


def test_links_to_the_dashboards_own_panels_by_their_old_ids_follow_them_to_their_new_ids() -> None:
    # ids derive from titles: the old ones open another panel or none ("Panel not found"). A link names this
    # dashboard when it names none (the page it is on) or its uid; another dashboard's ids are that dashboard's
    own = {"title": "CPU", "url": "/d/shapes/shapes?viewPanel=2&from=now-1h"}
    data_link = {"title": "zoom", "url": "${__url.path}?orgId=1&viewPanel=panel-2"}
    other = {"title": "other", "url": "/d/other/other?viewPanel=2"}
    site = {"title": "site", "url": "https://example.org/?viewPanel=2"}
    cpu = _timeseries(1, "CPU", links=[own, other, site])
    memory = _timeseries(2, "Memory", y=8, fieldConfig={
        "defaults": {"links": [data_link]},
        "overrides": [{"matcher": {"id": "byName", "options": "x"},
                       "properties": [{"id": "links", "value": [{"title": "o", "url": "?editPanel=1"}]}]}]})
    row = {"id": 3, "type": "row", "title": "More", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 16},
           "panels": [_timeseries(4, "Disk", y=17, links=[{"title": "up", "url": "d/${__dashboard.uid}?viewPanel=1"}])]}
    header = [{"title": "embed", "type": "link", "url": "/d-solo/shapes/shapes?panelId=4&width=500"}]
    converted = convert(_dashboard(cpu, memory, row, links=header), Location("s.json", 1))
    dashboard = converted.dashboard
    new = {panel.title: panel_id(panel.title) for panel in dashboard.all_panels}
    assert new["CPU"] != 1 and new["Memory"] != 2 and new["Disk"] != 4
    urls = _urls(dashboard.model_dump())
    assert f"/d/shapes/shapes?viewPanel={new['Memory']}&from=now-1h" in urls
    assert f"${{__url.path}}?orgId=1&viewPanel=panel-{new['Memory']}" in urls
    assert f"?editPanel={new['CPU']}" in urls
    assert f"d/${{__dashboard.uid}}?viewPanel={new['CPU']}" in urls
    assert f"/d-solo/shapes/shapes?panelId={new['Disk']}&width=500" in urls
    assert other["url"] in urls and site["url"] in urls  # not this dashboard's panels
    (note,) = [note for _, note in converted.notes if "by their old ids" in note]
    assert repr(own["url"]) in note


ANCHORED = """\
groups:
  - name: shared
    rules:
      - alert: Down
        expr: up == 0
        for: 5m
        labels: &common
          team: infra
          severity: page
        annotations: &text {summary: "{{ $labels.job }} is down"}
      - alert: Flapping
        expr: changes(up[10m]) > 3
        labels: *common
        annotations: *text
      - alert: Slow
        expr: scrape_duration_seconds > 5
        labels:
          <<: *common
          severity: ticket
"""


def test_a_rule_file_sharing_labels_through_yaml_aliases_imports_them_expanded(tmp_path: Path) -> None:
    # Prometheus (yaml.v3) reads anchors, aliases and merge keys; real rule files share labels so
    source = tmp_path / "anchored.yml"
    source.write_text(ANCHORED)
    (rule_set,) = read_rules(source).rule_sets
    rules = {rule.name: rule for rule in rule_set.groups[0].rules if isinstance(rule, ImportedAlert)}
    assert rules["Flapping"].labels == {"team": "infra", "severity": "page"}
    assert rules["Flapping"].annotations == {"summary": "{{ $labels.job }} is down"}
    assert rules["Slow"].labels == {"team": "infra", "severity": "ticket"}  # the key written wins over the merged


def _laughs(levels: int) -> str:
    """A billion laughs: each level's list holds the one before nine times (9**levels values, a few hundred
    bytes)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f'l{n}: &l{n} [{", ".join([f"*l{n - 1}"] * 9)}]' for n in range(1, levels)]
    return "groups:\n- name: g\n  rules: []\nlaughs:\n" + "".join(f"  {line}\n" for line in lines)


def test_a_billion_laughs_is_refused_at_its_line_having_counted_no_more_than_the_bound(tmp_path: Path) -> None:
    # 9**20 values once expanded: were one expanded (composed, constructed, walked), the test would never end.
    # The count stops at the bound (MAX_ALIASED): the memory used is that of the text, not of what it expands to
    source = tmp_path / "laughs.yml"
    source.write_text(_laughs(20))
    with pytest.raises(DefinitionError, match=r"^.*laughs\.yml:10: cannot import: aliases here expand to more than "
                                              r"100000 values, more than the file writes \(\*l4 alone is 66430\): an "
                                              r"alias bomb\? write the values out$"):
        read_rules(source)
    tracemalloc.start()
    with pytest.raises(ReadError):
        load_yaml_as_written(source.read_text())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2**20, peak  # the parser's few KiB, not 9**20 values'


# Each way a rule file can be refused, with the line of the node at fault (the build names definitions so)
RULE_ERRORS = [
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n  - alert: B\n    expr: sum(up\n", 7,
     r"group g, rule 2: expr: .*"),
    ("groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n  - record: not a name\n    expr: up\n", 6,
     r"group g, rule 2: name: recording rule name 'not a name' is not a valid Prometheus name"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      0bad: x\n", 6,
     r"group g, rule 1: labels: .*'0bad'.*"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: soon\n", 6,
     r"group g, rule 1: for: .*"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    severity: page\n", 6,
     r"group g, rule 1: unknown rule field severity \(Prometheus would reject them too\)"),
    ("groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up\n    annotations: {a: b}\n", 6,
     r"group g, rule 1: recording rule a:b has alerting-only fields"),
    ("groups:\n- name: g\n  rules:\n  - expr: up\n", 4, r"group g, rule 1: a rule has exactly one of alert or record"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n  - just text\n", 6,
     r"group g, rule 2: a rule must be a mapping, got 'just text'"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n\n  - 5\n", 7,
     r"group g, rule 2: a rule must be a mapping, got '5'"),
    ("kind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n"
     "      expr: up\n    - \"up\"\n", 9, r"group g, rule 2: a rule must be a mapping, got 'up'"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n- just a group\n", 6,
     r"a rule group must be a mapping with a name"),
    ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n- rules: []\n", 6,
     r"a rule group must be a mapping with a name"),
    ("groups:\n- name: g\n  rules: []\n", 3, r"rules: Tuple should have at least 1 item after validation, not 0"),
    ("groups:\n- name: g\n  interval: often\n  rules:\n  - alert: A\n    expr: up\n", 3, r"interval: .*"),
    ("groups: {name: g}\n", 1, r"groups must be a list of rule groups, got dict"),
    ("# a comment\nkind: PrometheusRule\nmetadata: {name: x}\nspec: [1]\n", 4,
     r"PrometheusRule spec must be a mapping, got list"),
    ("# a comment\n\nrules: []\n", 3, r"neither a rule file \(groups:\) nor a PrometheusRule"),
    ("groups:\n- name: g\n  rules: &rules\n  - alert: A\n    expr: up\n    labels: {x: *rules}\n", 6,
     r"the alias \*rules is inside the value it names \(or no value is anchored so before it\): write the value out"),
    (2 * "---\nkind: PrometheusRule\nmetadata: {name: a-b}\nspec:\n  groups:\n  - name: g\n    rules:\n"
            "    - alert: A\n      expr: up\n", 14, r"'a-b' and 'a-b' would both be rule set a-b .*"),
]


@pytest.mark.parametrize(("text", "line", "message"), RULE_ERRORS, ids=[
    "expr", "record name", "label name", "for", "unknown field", "alerting-only field", "neither alert nor record",
    "rule not a mapping", "bare number rule", "bare quoted rule", "bare group", "group without a name",
    "group without rules", "group interval", "groups not a list",
    "spec not a mapping", "neither rules nor PrometheusRule", "alias inside its own value", "two rule sets one name"])
def test_each_rule_file_error_names_the_file_and_line_of_the_node_at_fault(tmp_path: Path, text: str, line: int,
                                                                          message: str) -> None:
    source = tmp_path / "anchored.yml"
    source.write_text(text)
    with pytest.raises(DefinitionError) as raised:
        read_rules(source)
    assert re.fullmatch(rf"{re.escape(str(source))}:{line}: cannot import: {message}", str(raised.value)), \
        str(raised.value)


def test_each_rule_file_warning_names_the_line_it_is_about(tmp_path: Path) -> None:
    source = tmp_path / "noted.yml"
    source.write_text("kind: PrometheusRule\nmetadata: {name: noted}\nspec:\n  groups:\n  - name: g\n"
                      "    partial_response_strategy: warn\n    rules:\n    - record: a:b\n      expr: up\n"
                      "    - record: a:b\n      expr: up\n---\nkind: Service\nmetadata: {name: s}\n")
    assert read_rules(source).notes == [
        (5, "group g: partial_response_strategy kept verbatim (obsgen does not model it)"),
        (5, "group g: 2 rules record a:b with the same labels (promtool's duplicate-rules lint reports them; kept as "
            "written)"),
        (1, "PrometheusRule noted: metadata (namespace, labels) is Kubernetes packaging; out/kubernetes/ labels "
            "objects from the Kubernetes definition"),
        (13, "skipped Service s: not rules")]


def _first_line(text: str, written: str) -> int:
    return text[:text.index(written)].count("\n") + 1


def test_a_dashboard_that_cannot_be_imported_is_named_at_the_line_of_its_node(tmp_path: Path) -> None:
    # JSON's parser knows no lines: core.lined finds each object's, and the error names the node at fault's
    broken = {"id": 1, "type": "stat", "title": "Odd", "fieldConfig": {"defaults": {"mappings": [
        {"type": "value", "options": {"up": 5}}]}}}  # an option that is no object
    empty = {"title": "Empty", "panels": []}
    library = {"title": "Library", "__elements": {"a": {"uid": "a", "model": {
        "type": "row", "title": "A", "panels": [{"id": 9, "title": "inner", "libraryPanel": {"uid": "a"}}]}}},
        "panels": [_timeseries(1, "CPU"), {"id": 2, "title": "ref", "libraryPanel": {"uid": "a", "name": "A"}}]}
    cases = [  # the dashboards, a key written in the object at fault, how many lines below its opening brace
        ([_dashboard(_timeseries(1, "CPU"), broken)], '"title": "Odd"', 3,
         r"cannot import dashboard 'Shapes': panel 'Odd' \(id 1\): AttributeError: .*"),
        ([_dashboard(_timeseries(1, "CPU")), empty], '"title": "Empty"', 1,
         r"dashboard 'Empty' has no panels to import"),
        ([library], '"title": "ref"', 2, r"cannot import dashboard 'Library': panels\[1\]\.panels\[0\]: ValueError: "
                                         r"library panel 'a' holds a reference to itself"),
    ]
    for index, (dashboards, written, below, message) in enumerate(cases):
        source = tmp_path / f"{index}.json"
        text = json.dumps(dashboards, indent=1)
        source.write_text(text)
        line = _first_line(text, written) - below
        with pytest.raises(DefinitionError) as raised:
            read_dashboards(source)
        assert re.fullmatch(rf"{re.escape(str(source))}:{line}: {message}", str(raised.value)), (line, raised.value)


def test_each_dashboards_warnings_name_the_line_of_the_panel_they_are_about(tmp_path: Path) -> None:
    # A file of several dashboards (a JSON list, an API export): the warnings say which one, at its panel's line
    source = tmp_path / "two.json"
    second_dashboard = _dashboard(_timeseries(7, "Memory"), title="Second", uid="second")
    text = json.dumps([_dashboard(_timeseries(1, "CPU")), second_dashboard], indent=1)
    source.write_text(text)
    create(tmp_path / "project", "where")
    report = import_files([source], tmp_path / "project/definitions")
    first, second = (_first_line(text, f'"id": {old},\n') - 1 for old in (1, 7))  # their panels' braces
    assert any(note.startswith(f"{source}:{first}: dashboard Shapes: panel ids renumbered") for note in report.notes), \
        report.notes
    assert any(note.startswith(f"{source}:{second}: dashboard Second: panel ids renumbered")
               for note in report.notes), report.notes


def test_each_dashboard_warning_names_the_line_of_its_panel_or_field(tmp_path: Path) -> None:
    # A user with a 3,000-line dashboard must find what a warning is about: a note is at its first subject's line
    # (a panel's opening brace, a field's key), and names every other subject with its own
    nested = {"id": 111, "type": "graph", "title": "Old", "datasource": PROMETHEUS,
              "gridPos": {"h": 8, "w": 12, "x": 0, "y": 17}, "targets": [{"refId": "A", "expr": "up"}]}
    row = {"id": 110, "type": "row", "title": "More", "collapsed": True,
           "gridPos": {"h": 1, "w": 24, "x": 0, "y": 16}, "panels": [nested]}
    odd = _timeseries(102, "Odd", y=8, gridPos=[1, 2])  # a value Grafana cannot read: left out
    plugin = {"id": 103, "type": "some-plugin-panel", "title": "Plugin", "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0}}
    source = tmp_path / "long.json"
    text = json.dumps([_dashboard(_timeseries(101, "CPU"), odd, plugin, row, timezone="utc")], indent=2)
    source.write_text(text)
    (item,) = read_dashboards(source)
    brace = {old: _first_line(text, f'"id": {old},\n') - 1 for old in (101, 102, 103, 110, 111)}
    grid, timezone = _first_line(text, '"gridPos": ['), _first_line(text, '"timezone": ')
    notes = dict((note.split(":")[0], (line, note)) for line, note in item.notes)
    renumbered = notes["panel ids renumbered (obsgen derives them from titles)"]
    assert renumbered[0] == brace[101]
    for old in (102, 103, 111):  # (a row is not noted: nothing links to a row)
        assert re.search(rf"{old} -> \d+ \(line {brace[old]}\)", renumbered[1]), (old, brace[old], renumbered[1])
    assert notes["graph panels became timeseries, Grafana's successor (settings translated as Grafana's own "
                 "migration does)"][0] == brace[111]  # in a collapsed row
    assert notes["panel types obsgen does not model, kept verbatim"][0] == brace[103]
    assert notes["values Grafana cannot read as written, left out"][0] == grid
    verbatim = notes["Grafana JSON obsgen does not model, kept verbatim in extra="]
    assert f"dashboard.timezone (line {timezone})" in verbatim[1], verbatim


def test_a_repeat_clones_key_follows_its_panel_to_the_new_id_keeping_the_clone_index() -> None:
    # Grafana 10+ keys a repeat's clones getCloneKey(`panel-<id>`, index): `panel-<id>-clone-<index>`; the index is
    # the clone's place among the repeat variable's values, which the import keeps
    links = [{"title": "first", "url": "?viewPanel=panel-2-clone-0"},
             {"title": "third", "url": "/d/shapes/shapes?viewPanel=panel-2-clone-2&from=now-1h"},
             {"title": "elsewhere", "url": "/d/other/other?viewPanel=panel-2-clone-1"}]
    cpu = _timeseries(1, "CPU", links=links)
    per_host = _timeseries(2, "Per host", y=8, repeat="host", fieldConfig={
        "defaults": {"links": [{"title": "zoom", "url": "${__url.path}?viewPanel=panel-2-clone-1&orgId=1"}]}})
    converted = convert(_dashboard(cpu, per_host), Location("s.json", 1))
    new = panel_id("Per host")
    urls = _urls(converted.dashboard.model_dump())
    assert f"?viewPanel=panel-{new}-clone-0" in urls
    assert f"/d/shapes/shapes?viewPanel=panel-{new}-clone-2&from=now-1h" in urls
    assert f"${{__url.path}}?viewPanel=panel-{new}-clone-1&orgId=1" in urls
    assert "/d/other/other?viewPanel=panel-2-clone-1" in urls  # another dashboard's panel


def test_a_link_and_a_query_naming_one_old_id_name_one_new_id_each_rewritten_once() -> None:
    # one mapping, one pass: panel B's old id is panel A's new id, so a URL rewritten twice (or a link read with
    # another mapping than the queries) would name A; with two panels of one id, Grafana finds the first
    a_new = panel_id("A")
    dashboard_source = {"type": "datasource", "uid": "-- Dashboard --"}
    a = _timeseries(1, "A", links=[{"title": "b", "url": f"?viewPanel={a_new}"}])
    b = _timeseries(a_new, "B", y=8)
    shadow = _timeseries(a_new, "Shadow", y=16)
    reader = {"id": 5, "type": "stat", "title": "Reads B", "datasource": dashboard_source,
              "gridPos": {"h": 8, "w": 12, "x": 0, "y": 24},
              "targets": [{"refId": "A", "panelId": a_new, "datasource": dashboard_source}]}
    converted = convert(_dashboard(a, b, shadow, reader), Location("s.json", 1))
    panels = {panel.title: panel for panel in converted.dashboard.all_panels}
    assert _urls(panels["A"].model_dump()) == [f"?viewPanel={panel_id('B')}"]
    assert [t["panelId"] for t in panels["Reads B"].extra["targets"]] == [panel_id("B")]


def test_a_configmaps_dashboard_warnings_name_the_file_lines_of_its_literal_block(tmp_path: Path) -> None:
    # kube-prometheus' grafana-dashboardDefinitions.yaml: each dashboard's JSON is a literal block (`|-`), whose
    # lines are the file's; JSON in a quoted string on one line of the file is all at that line
    block = json.dumps(_dashboard(_timeseries(1, "CPU"), _timeseries(2, "Memory", y=8)), indent=2)
    quoted = json.dumps(_dashboard(_timeseries(3, "Disk"), title="Quoted", uid="quoted"))
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dashboards}\ndata:\n  shapes.json: |-\n"
            + "".join(f"    {line}\n" for line in block.splitlines()) + f"  quoted.json: {json.dumps(quoted)}\n")
    source = tmp_path / "dashboards.yaml"
    source.write_text(text)
    create(tmp_path / "project", "where")
    report = import_files([source], tmp_path / "project/definitions")
    cpu, memory = (_first_line(text, f'"id": {old},\n') - 1 for old in (1, 2))
    renumbered = {note.split(": dashboard ")[1].split(":")[0]: note for note in report.notes if "renumbered" in note}
    assert renumbered["Shapes"].startswith(f"{source}:{cpu}: dashboard Shapes: panel ids renumbered"), renumbered
    assert renumbered["Shapes"].endswith(f"(line {memory})"), renumbered
    quoted_line = _first_line(text, "  quoted.json: ")
    assert renumbered["Quoted"].startswith(f"{source}:{quoted_line}: dashboard Quoted: panel ids renumbered"), \
        renumbered
    assert "(line" not in renumbered["Quoted"]
