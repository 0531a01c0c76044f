"""`obsgen import` of shapes real rule files and dashboards have beyond kube-prometheus (import52): what Prometheus
and Grafana make of the original must be what they make of the build, or the import says where it is not.

Sources: two of awesome-prometheus-alerts' generated rule files (tests/data/corpus/awesome-prometheus-alerts, MIT,
byte for byte; repository, path and commit in the corpus manifest); the rule-file quirks and dashboard constructs
below are those of real files (dotdc/grafana-dashboards-kubernetes' exports, Grafana's own panel JSON: "-- Dashboard --"
queries, panels left below a collapsed row), written small here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build
from generator.core.errors import DefinitionError, Location
from generator.importer.write import ImportReport, import_files
from generator.interop.grafana_json import convert
from generator.scaffold import create
from tests.importer.conftest import ROOT

AWESOME = ROOT / "tests/data/corpus/awesome-prometheus-alerts"
# Rule-file constructs of real projects in one file: block scalars, folded expressions, keep_firing_for, quoted
# numbers, YAML 1.1 booleans as label values, templates with humanize*, printf, query and pipelines.
QUIRKS = """\
groups:
  - name: quirks
    interval: 30s
    rules:
      - record: instance_path:requests:rate5m
        expr: rate(http_requests_total{job="api"}[5m])
      - record: job:http_inprogress_requests:sum
        expr: |
          sum by (job) (
            http_inprogress_requests
          )
        labels:
          tier: "1"
      - alert: HighLatency
        expr: >-
          histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))
          > 0.5
        for: 10m
        keep_firing_for: 5m
        labels:
          severity: page
          priority: 01
        annotations:
          summary: "High latency on {{ $labels.job }}"
          description: |
            p99 is {{ $value | humanizeDuration }} ({{ printf "%.2f" $value }} s).
            Disk free {{ with query "node_filesystem_avail_bytes" }}{{ . | first | value | humanize1024 }}{{ end }}
          runbook_url: 'https://runbooks.example.org/{{ $labels.alertname | toLower }}'
      - alert: NoData
        expr: absent(up{job="api"} == 1)
        for: 0s
        labels: {severity: page}
        annotations:
          summary: 'No data: {{ humanizePercentage 0.25 }}'
          value: "{{ $value }}"
      - alert: Yes
        expr: vector(1) > bool 0
        labels:
          enabled: yes
          off: off
          float: 1.50
          octal: 0o17
          date: 2024-01-01
"""
# What promtool must see fire from the original and from the build alike.
ALERT_TESTS: list[dict[str, Any]] = [
    {"eval_time": "12m", "alertname": "HighLatency", "exp_alerts": [{
        "exp_labels": {"job": "api", "severity": "page", "priority": "01"},
        "exp_annotations": {"summary": "High latency on api", "description": "p99 is 1.985s (1.98 s).\nDisk free 2ki\n",
                            "runbook_url": "https://runbooks.example.org/"}}]},
    {"eval_time": "3m", "alertname": "NoData", "exp_alerts": [{
        "exp_labels": {"severity": "page"}, "exp_annotations": {"summary": "No data: 25%", "value": "1"}}]},
    {"eval_time": "1m", "alertname": "Yes", "exp_alerts": [{
        "exp_labels": {"enabled": "yes", "off": "off", "float": "1.50", "octal": "0o17", "date": "2024-01-01"}}]},
    {"eval_time": "3m", "alertname": "SidekiqQueueSize", "exp_alerts": [{
        "exp_labels": {"severity": "warning", "name": "mail", "instance": "w1"},
        "exp_annotations": {"summary": "Sidekiq queue size (instance w1)",
                            "description": "Sidekiq queue mail is growing\n  VALUE = 150\n  LABELS = "
                                           "map[__name__:sidekiq_queue_size instance:w1 name:mail]"}}]},
    {"eval_time": "12m", "alertname": "SidekiqSchedulingLatencyTooHigh", "exp_alerts": []},
]
SERIES = [
    ('http_request_duration_seconds_bucket{job="api",le="0.5"}', "0x30"),
    ('http_request_duration_seconds_bucket{job="api",le="2"}', "0+10x30"),
    ('http_request_duration_seconds_bucket{job="api",le="+Inf"}', "0+10x30"),
    ('node_filesystem_avail_bytes{mountpoint="/"}', "2048x30"),
    ('sidekiq_queue_size{name="mail",instance="w1"}', "150x30"),
]


def _imported(tmp_path: Path, *files: Path) -> tuple[Path, ImportReport]:
    """An init project with the files imported, built; its out/ and the import's report."""
    create(tmp_path / "project", "shapes")
    report = import_files(list(files), tmp_path / "project/definitions")
    build(tmp_path / "project/definitions", tmp_path / "project/out")
    return tmp_path / "project/out", report


def _promtool_test(rule_files: list[Path], folder: Path) -> subprocess.CompletedProcess[str]:
    test = {"rule_files": [str(path) for path in rule_files], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": [{"series": series, "values": values} for series, values in SERIES],
        "alert_rule_test": ALERT_TESTS}]}
    path = folder / "test-rules.yml"
    path.write_text(yaml.safe_dump(test))
    return subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, timeout=60)


def test_real_rule_files_fire_the_same_alerts_with_the_same_text_once_imported(tmp_path: Path) -> None:
    quirks = tmp_path / "quirks.yaml"
    quirks.write_text(QUIRKS)
    originals = [quirks, AWESOME / "strech-sidekiq-exporter.yml"]
    original = _promtool_test(originals, tmp_path)
    assert original.returncode == 0, original.stdout + original.stderr  # the test is right about the original
    out, _ = _imported(tmp_path, *originals)
    built = [out / "prometheus/rules/ruleset-quirks.yml", out / "prometheus/rules/ruleset-strech-sidekiq-exporter.yml"]
    result = _promtool_test(built, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rule = next(r for g in yaml.safe_load(built[0].read_text())["groups"] for r in g["rules"]
                if r.get("alert") == "HighLatency")
    assert (rule["for"], rule["keep_firing_for"]) == ("10m", "5m")


def test_an_alert_name_prometheus_loads_whatever_its_characters_is_imported_and_fires_under_it(
        tmp_path: Path) -> None:
    source = AWESOME / "ribbybibby-ssl-exporter.yml"  # SslCertificateExpiry(<7Days): promtool check rules accepts it
    out, _ = _imported(tmp_path, source)
    built = out / "prometheus/rules/ruleset-ribbybibby-ssl-exporter.yml"
    test = {"rule_files": [str(built)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": [
            {"series": 'ssl_verified_cert_not_after{chain_no="0",instance="web"}', "values": "86400x5"}],
        "alert_rule_test": [{"eval_time": "1m", "alertname": "SslCertificateExpiry(<7Days)", "exp_alerts": [{
            "exp_labels": {"severity": "warning", "chain_no": "0", "instance": "web"},
            "exp_annotations": {"summary": "SSL certificate expiry (< 7 days) (instance web)",
                                "description": "web Certificate is expiring in 7 days\n  VALUE = 86340\n  LABELS = "
                                               'map[chain_no:0 instance:web]'}}]}]}]}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    result = subprocess.run(["promtool", "test", "rules", str(tmp_path / "test.yml")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_alert_name_with_a_control_character_is_refused_naming_the_rule(tmp_path: Path) -> None:
    source = tmp_path / "bell.yml"
    source.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [{"alert": "Ring\x07", "expr": "up"}]}]}))
    create(tmp_path / "project", "shapes")
    with pytest.raises(DefinitionError, match=r"bell.yml:4: cannot import: group g, rule 1: name: alert name "
                                              r"'Ring\\x07' is empty or holds a control character"):
        import_files([source], tmp_path / "project/definitions")


def _dashboard(*panels: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Shapes", "uid": "shapes", "schemaVersion": 39, "panels": list(panels)}


def _built(tmp_path: Path, dashboard: dict[str, Any]) -> tuple[dict[str, Any], ImportReport]:
    tmp_path.mkdir(exist_ok=True)
    source = tmp_path / "shapes.json"
    source.write_text(json.dumps(dashboard))
    out, report = _imported(tmp_path, source)
    (path,) = (out / "grafana/dashboards").rglob("shapes.json")
    return json.loads(path.read_text()), report


def _all_panels(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for panel in dashboard["panels"]:
        found[panel["title"]] = panel
        found |= {inner["title"]: inner for inner in panel.get("panels") or []}
    return found


PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}
DASHBOARD_SOURCE = {"type": "datasource", "uid": "-- Dashboard --"}


def test_a_panel_showing_another_panels_queries_still_reads_that_panel_once_ids_are_renumbered(
        tmp_path: Path) -> None:
    built, report = _built(tmp_path, _dashboard(
        {"id": 1, "type": "row", "title": "Hosts", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
         "panels": [{"id": 7, "type": "timeseries", "title": "Load", "datasource": PROMETHEUS,
                     "gridPos": {"h": 8, "w": 12, "x": 0, "y": 1},
                     "targets": [{"refId": "A", "expr": "node_load1", "datasource": PROMETHEUS}]}]},
        {"id": 2, "type": "stat", "title": "Load now", "datasource": DASHBOARD_SOURCE,
         "gridPos": {"h": 8, "w": 12, "x": 0, "y": 1},
         "targets": [{"refId": "A", "panelId": 7, "datasource": DASHBOARD_SOURCE}]},
        {"id": 3, "type": "table", "title": "Load table", "datasource": "-- Dashboard --",  # a name: older JSON
         "gridPos": {"h": 8, "w": 12, "x": 12, "y": 1}, "targets": [{"refId": "A", "panelId": 7}]},
    ))
    panels = _all_panels(built)
    source = panels["Load"]["id"]
    assert source != 7  # obsgen derives ids from titles
    # Grafana's DashboardQueryRunner finds the source by panelId: the old id would find no panel (an empty panel)
    assert [t["panelId"] for t in panels["Load now"]["targets"]] == [source]
    assert [t["panelId"] for t in panels["Load table"]["targets"]] == [source]
    assert any("another panel's queries" in note and "'Load now'" in note for note in report.notes)
    assert not any(note.split(": dashboard Shapes: ")[1].startswith("empty queries") for note in report.notes), \
        report.notes  # kept verbatim as they were, not left out


def test_a_panel_below_a_collapsed_row_but_outside_it_is_named_at_its_json_path(tmp_path: Path) -> None:
    built, report = _built(tmp_path, _dashboard(
        {"id": 1, "type": "row", "title": "Details", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
         "panels": [{"id": 2, "type": "timeseries", "title": "Load", "gridPos": {"h": 8, "w": 24, "x": 0, "y": 1},
                     "targets": [{"refId": "A", "expr": "node_load1"}]}]},
        {"id": 3, "type": "text", "title": "Read me", "gridPos": {"h": 3, "w": 24, "x": 0, "y": 1},
         "options": {"mode": "markdown", "content": "shown under the collapsed row"}},
    ))
    # Grafana (createSceneObjectsForPanels) shows 'Read me' below the closed row; obsgen's rows hold the panels that
    # follow them, so it is now inside, hidden until the row is opened: the import says so, at the JSON path
    (row,) = built["panels"]
    assert [p["title"] for p in row["panels"]] == ["Load", "Read me"]
    (note,) = [n for n in report.notes if "collapsed row" in n]
    assert "panels[1] 'Read me' below 'Details'" in note and "hidden until" in note


def test_a_library_panel_whose_model_the_export_carries_is_imported_as_that_panel(tmp_path: Path) -> None:
    # Exported "for sharing externally", a dashboard carries its library panels' models in __elements (a list in
    # Grafana 8, an object by uid since); provisioned as obsgen provisions it, a reference alone finds no library
    # panel in the Grafana it lands in ("Unable to load library panel"), so the import makes it the panel it was:
    # the library model at the reference's place (Grafana's loadLibraryPanel: model, then gridPos and id).
    model: dict[str, Any] = {"type": "timeseries", "title": "CPU busy", "datasource": PROMETHEUS,
                             "fieldConfig": {"defaults": {"unit": "percentunit"}, "overrides": []},
                             "targets": [{"refId": "A", "expr": 'sum(rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
                                          "datasource": PROMETHEUS}]}
    for index, elements in enumerate(({"cpu": {"name": "CPU busy", "uid": "cpu", "kind": 1, "model": model}},
                                      [{"name": "CPU busy", "uid": "cpu", "kind": 1, "model": model}])):
        built, report = _built(tmp_path / str(index), _dashboard(
            {"id": 4, "title": "CPU busy", "gridPos": {"h": 6, "w": 8, "x": 0, "y": 0},
             "libraryPanel": {"uid": "cpu", "name": "CPU busy"}},
            {"id": 5, "title": "Other", "gridPos": {"h": 6, "w": 8, "x": 8, "y": 0},
             "libraryPanel": {"uid": "elsewhere", "name": "Other"}},  # not in the export: kept as a reference
        ) | {"__elements": elements})
        panels = _all_panels(built)
        cpu = panels["CPU busy"]
        assert "libraryPanel" not in cpu and cpu["type"] == "timeseries"
        assert [t["expr"] for t in cpu["targets"]] == [model["targets"][0]["expr"]]
        assert cpu["fieldConfig"]["defaults"]["unit"] == "percentunit"
        assert panels["Other"]["libraryPanel"] == {"uid": "elsewhere", "name": "Other"}
        assert any("library panels the export carries, imported as the panels they are" in note and "'CPU busy'" in note
                   for note in report.notes), report.notes


@pytest.mark.parametrize("name", ["Loki", "loki-prod", "InfluxDB"])
def test_a_data_source_named_for_another_kind_keeps_its_queries_even_when_they_parse_as_promql(tmp_path: Path,
                                                                                               name: str) -> None:
    # Grafana 7-era JSON names data sources ("datasource": "Loki"); a LogQL metric query such as this one parses as
    # PromQL too, and sent to Prometheus it finds no series: an empty panel where the logs' counts were
    built, report = _built(tmp_path, _dashboard(
        {"id": 1, "type": "timeseries", "title": "Errors per minute", "datasource": name,
         "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
         "targets": [{"refId": "A", "expr": 'sum(count_over_time({job="varlogs"}[1m]))'}]},
        {"id": 2, "type": "timeseries", "title": "CPU", "datasource": "Prometheus",
         "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0},
         "targets": [{"refId": "A", "expr": "rate(process_cpu_seconds_total[5m])"}]},
    ) | {"schemaVersion": 27})
    panels = _all_panels(built)
    assert panels["Errors per minute"]["datasource"] == name  # Grafana finds it by its name, as before
    assert panels["CPU"]["datasource"] == PROMETHEUS
    assert not any(repr(name) in note for note in report.notes if "now read through the ${datasource}" in note)


def test_a_library_panel_whose_model_holds_a_reference_to_itself_is_one_error_naming_it() -> None:
    # A hostile or broken export: the row model of library panel "a" holds a reference to "a". Inlined again at each
    # level it never ends (Python's recursion limit was the error); Grafana loads a library panel's model once
    row = {"type": "row", "title": "A", "panels": [{"id": 9, "title": "inner", "libraryPanel": {"uid": "a"}}]}
    data = _dashboard({"id": 1, "title": "ref", "gridPos": {"h": 6, "w": 8, "x": 0, "y": 0},
                       "libraryPanel": {"uid": "a", "name": "A"}}) | {
        "__elements": {"a": {"uid": "a", "name": "A", "kind": 1, "model": row}}}
    with pytest.raises(DefinitionError, match=r"^shapes.json:1: cannot import dashboard 'Shapes': "
                                              r"panels\[0\]\.panels\[0\]: ValueError: library panel 'a' holds a "
                                              r"reference to itself$"):
        convert(data, Location("shapes.json", 1))


@pytest.mark.parametrize("name", ["influx-proxy", "mimir-loki-gateway"])
def test_a_data_source_taken_for_another_kind_by_its_name_is_named_in_the_import_notes(name: str) -> None:
    # A Prometheus named so (a proxy, a gateway) keeps its name and its queries go unchecked: the note says it was
    # the name, which one, and what to do if it is a Prometheus (not only "another data source, or not PromQL")
    converted = convert(_dashboard({"id": 1, "type": "timeseries", "title": "CPU", "datasource": name,
                                    "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                                    "targets": [{"refId": "A", "expr": "rate(process_cpu_seconds_total[5m])"}]})
                        | {"schemaVersion": 27}, Location("shapes.json", 1))
    (note,) = [note for _, note in converted.notes if repr(name) in note]
    assert note.startswith("data sources whose names say another kind than Prometheus (Loki, InfluxDB...), kept as "
                           "named, their panels' queries not checked"), note
