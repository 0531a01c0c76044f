"""`obsgen import` reads rule files as Prometheus reads them: plain YAML scalars keep their text, a key written twice
is refused; what the import writes means what the original meant."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from generator.build import build
from generator.core.errors import DefinitionError, Location
from generator.importer.write import import_files
from generator.interop import panel_reader
from generator.interop.grafana_json import convert
from generator.model import Dashboard, Panel, Query
from generator.model.identity import panel_id
from generator.scaffold import create

# Plain scalars YAML 1.1 reads as booleans, numbers or dates; Prometheus (Go's yaml.v3) reads them into its
# string fields as written.
PLAIN = {"page": "true", "octal": "010", "hex": "0x1F", "grouped": "1_000", "float": "1.50", "yes": "yes",
         "off": "off", "day": "2024-01-01", "inf": ".inf"}
RULES = ("groups:\n- name: plain\n  limit: 10\n  rules:\n  - alert: PlainScalars\n    expr: up == 0\n"
         "    for: 1m\n    labels:\n" + "".join(f"      {key}: {text}\n" for key, text in PLAIN.items()) +
         "    annotations:\n      summary: 1.50\n")


def _project(tmp_path: Path) -> Path:
    create(tmp_path / "project", "fidelity")
    return tmp_path / "project/definitions"


def _promtool_test(rule_file: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """promtool test rules: PlainScalars fires with the labels and annotation as written in RULES."""
    test = {"rule_files": [str(rule_file)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": [{"series": 'up{job="x"}', "values": "0x5"}],
        "alert_rule_test": [{"eval_time": "2m", "alertname": "PlainScalars", "exp_alerts": [{
            "exp_labels": {"job": "x", **PLAIN}, "exp_annotations": {"summary": "1.50"}}]}]}]}
    path = folder / f"test-{rule_file.stem}.yml"
    path.write_text(yaml.safe_dump(test))
    return subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, timeout=120)


def test_plain_scalars_keep_the_text_prometheus_reads(tmp_path: Path) -> None:
    source = tmp_path / "plain.yml"
    source.write_text(RULES)
    original = _promtool_test(source, tmp_path)
    assert original.returncode == 0, original.stdout + original.stderr  # Prometheus reads the text as written
    definitions = _project(tmp_path)
    import_files([source], definitions)
    build(definitions, tmp_path / "out")
    built = tmp_path / "out/prometheus/rules/ruleset-plain.yml"
    rebuilt = _promtool_test(built, tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert yaml.safe_load(built.read_text())["groups"][0]["limit"] == 10  # a number where Prometheus wants one


def test_a_key_written_twice_is_refused_at_its_line_as_prometheus_refuses_it(tmp_path: Path) -> None:
    source = tmp_path / "twice.yml"
    source.write_text("groups:\n- name: g\n  rules:\n  - alert: Twice\n    expr: up == 0\n    labels:\n"
                      "      severity: warning\n      severity: critical\n")
    checked = subprocess.run(["promtool", "check", "rules", str(source)], capture_output=True, text=True, timeout=60)
    assert checked.returncode != 0 and "already defined" in checked.stdout + checked.stderr
    definitions = _project(tmp_path)
    with pytest.raises(DefinitionError, match=r"twice.yml:8: cannot import: .*'severity'.* line 7"):
        import_files([source], definitions)
    assert not (definitions / "twice.py").exists()
    result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions), str(source)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def _built_dashboard(tmp_path: Path, dashboard: dict[str, Any]) -> dict[str, Any]:
    source = tmp_path / "dashboard.json"
    source.write_text(json.dumps(dashboard))
    definitions = _project(tmp_path)
    import_files([source], definitions)
    build(definitions, tmp_path / "out")
    (built,) = [json.loads(path.read_text()) for path in (tmp_path / "out/grafana/dashboards").rglob("*.json")
                if json.loads(path.read_text())["title"] == dashboard["title"]]
    return dict(built)


def test_dashboard_links_keep_the_time_range_and_variables_only_where_the_original_did(tmp_path: Path) -> None:
    # Grafana's DashboardLink: keepTime and includeVars default to false; true appends from/to and every
    # variable's value to the URL (linkSrv.getLinkUrl), which an external site would then receive.
    plain = {"type": "link", "title": "Docs", "url": "https://example.com/docs"}
    keeping = {"type": "link", "title": "Explore", "url": "/explore", "keepTime": True, "includeVars": True}
    built = _built_dashboard(tmp_path, {"title": "Links", "links": [plain, keeping], "panels": [
        {"type": "text", "title": "t", "options": {"content": "x"}}]})
    assert [(link["title"], link.get("keepTime", False), link.get("includeVars", False))
            for link in built["links"]] == [("Docs", False, False), ("Explore", True, True)]


def test_panel_links_come_back_as_the_data_links_they_were_with_no_field_grafana_ignores(tmp_path: Path) -> None:
    # A panel's links are DataLinks (Grafana's DataLink: title, url, targetBlank; linkSrv.getDataLinkUIModel reads
    # nothing else): a DashboardLink's keepTime, includeVars, icon, tags... written on one are noise a reviewer
    # reads as meaning (keepTime true, which keeps nothing there).
    links = [{"title": "Docs", "url": "https://example.com/docs"},
             {"title": "Runbook", "url": "https://example.com/run?v=${__value.raw}", "targetBlank": True}]
    built = _built_dashboard(tmp_path, {"title": "Panel links", "schemaVersion": 39, "panels": [
        {"type": "timeseries", "title": "p", "targets": [{"expr": "up", "refId": "A"}], "links": links}]})
    [panel] = built["panels"]
    assert panel["links"] == [{"title": "Docs", "url": "https://example.com/docs", "targetBlank": False},
                              {"title": "Runbook", "url": "https://example.com/run?v=${__value.raw}",
                               "targetBlank": True}]


def test_renaming_repeated_panel_titles_is_linear_in_the_panels(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A 16 MiB file holds ~250,000 panels: trying "t (2)", "t (3)", ... from 2 for each was hours of CPU.
    tried: list[str] = []

    def counted(title: str) -> int:
        tried.append(title)
        return panel_id(title)

    monkeypatch.setattr(panel_reader, "panel_id", counted)
    panels = [{"type": "text", "title": "t", "options": {"content": str(i)}} for i in range(600)]
    converted = convert({"title": "Repeated", "panels": panels}, Location("repeated.json", 0))
    titles = [panel.title for panel in converted.dashboard.all_panels]
    assert titles == ["t", *(f"t ({i})" for i in range(2, 601))]  # the names the import always gave them
    assert len(tried) <= 2 * len(panels) + 1


def test_control_characters_of_imported_names_never_reach_the_terminal(tmp_path: Path) -> None:
    # An escape sequence in a title would retitle or recolour the terminal; a newline would forge a line.
    hostile = "t\x1b]0;owned\x07\x1b[31mred\nerror: forged"
    dashboard = tmp_path / "hostile.json"
    dashboard.write_text(json.dumps({"title": hostile, "panels": [
        {"type": "text", "title": hostile, "options": {"content": "x"}},
        {"type": "text", "title": hostile, "options": {"content": "y"}}]}))
    rules = tmp_path / "hostile.yml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": hostile, "rules": [{"alert": "A", "expr": "up ==="}]}]}))
    definitions = _project(tmp_path)
    for source, code in ((dashboard, 0), (rules, 1)):
        result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions), str(source)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == code, result.stderr
        output = result.stdout + result.stderr
        assert "\x1b" not in output and "\x07" not in output and r"\x1b]0;owned\x07" in output
        assert all(line.startswith(("warning: ", "error: ", "wrote ", "obsgen import: "))
                   for line in output.splitlines()), output


def test_two_objects_that_would_share_one_rule_set_name_are_refused_naming_both(tmp_path: Path) -> None:
    source = tmp_path / "two.yaml"
    source.write_text(yaml.safe_dump_all([
        {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": name},
         "spec": {"groups": [{"name": f"g{index}", "rules": [{"record": f"r:{index}", "expr": "vector(1)"}]}]}}
        for index, name in enumerate(("team.rules", "team-rules"))]))
    definitions = _project(tmp_path)
    with pytest.raises(DefinitionError, match=r"two.yaml:17: cannot import: 'team-rules' and 'team.rules' would both "
                                              r"be rule set team-rules"):
        import_files([source], definitions)


@pytest.mark.parametrize("kind", ["rules", "panels", "dashboards", "variables"])
def test_a_file_of_more_objects_than_any_real_one_is_refused_before_it_is_converted(tmp_path: Path, kind: str) -> None:
    # Each rule or panel costs ~10-15 KB converted: the 16 MiB a file may hold was ~250,000 of them, GBs.
    count = 10_001  # obsgen imports up to 10,000 per file; kube-prometheus' largest holds 375
    if kind == "rules":
        source = tmp_path / "many.yml"
        source.write_text("groups:\n- name: g\n  rules:\n" +
                          "".join(f"  - record: r:{i}\n    expr: vector({i})\n" for i in range(count)))
    else:
        panel = {"type": "text", "title": "t", "options": {"content": "x"}}
        variables = [{"name": f"v{i}", "type": "custom", "query": "a,b"} for i in range(count)]
        dashboards = ([{"title": "Many", "panels": [panel] * count}] if kind == "panels" else
                      [{"title": "Many", "panels": [panel], "templating": {"list": variables}}] if kind == "variables"
                      else [{"title": f"d{i}", "panels": [panel]} for i in range(count // 2 + 1)])
        source = tmp_path / "many.json"
        source.write_text(json.dumps(dashboards))
    with pytest.raises(DefinitionError, match=r"many\.(yml|json): cannot import: .* more than the 10000 "):
        import_files([source], _project(tmp_path))


def test_a_panel_of_more_queries_than_letters_comes_back_with_each_one(tmp_path: Path) -> None:
    # Grafana names the 27th query AA, the 28th AB (getNextRefId); the import failed with an IndexError.
    targets = [{"refId": ref, "expr": f'up{{shard="{ref}"}}'} for ref in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "AA", "AB"]]
    built = _built_dashboard(tmp_path, {"title": "Shards", "panels": [
        {"type": "timeseries", "title": "shards", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8}, "targets": targets}]})
    shown = built["panels"][0]["targets"]
    assert [(t["refId"], t["expr"]) for t in shown] == [(t["refId"], t["expr"]) for t in targets]


def test_panel_ids_obsgen_renumbers_are_named_in_a_warning(tmp_path: Path) -> None:
    # obsgen derives panel ids from titles; a bookmark or embed of ?viewPanel=3 no longer opens the panel.
    source = tmp_path / "ids.json"
    source.write_text(json.dumps({"title": "Ids", "panels": [
        {"id": 3, "type": "text", "title": "Notice", "options": {"content": "x"}},
        {"type": "text", "title": "No id", "options": {"content": "y"}}]}))
    report = import_files([source], _project(tmp_path))
    (note,) = [note for note in report.notes if "panel ids" in note]
    assert f"3 -> {panel_id('Notice')}" in note and "viewPanel" in note


def test_the_build_of_an_imported_dashboard_prints_its_name_without_control_characters(tmp_path: Path) -> None:
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps({"title": "t\x1b]0;owned\x07", "panels": [
        {"type": "timeseries", "title": "p", "targets": [{"expr": 'up{job="nobody-scrapes-it"}'}]}]}))
    definitions = _project(tmp_path)
    import_files([source], definitions)
    result = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=definitions.parent,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and r"t\x1b]0;owned\x07" in result.stderr, result.stderr  # its warning
    assert "\x1b" not in result.stderr + result.stdout


def test_an_imported_dashboard_keeps_its_description_or_none_and_its_module_says_where_it_came_from(
        tmp_path: Path) -> None:
    # It gained "Plain (imported from dashboard.json)": exported again from Grafana, the user's dashboard had changed.
    panels = [{"type": "text", "title": "t", "options": {"content": "x"}}]
    built = _built_dashboard(tmp_path, {"title": "Plain", "panels": panels})
    assert "description" not in built
    (module,) = (tmp_path / "project/definitions").glob("dashboards_*.py")
    assert "Dashboard imported by `obsgen import` from dashboard.json." in module.read_text()
    (tmp_path / "again").mkdir()
    described = _built_dashboard(tmp_path / "again", {"title": "Described", "description": "Disk use per host.",
                                                      "panels": panels})
    assert described["description"] == "Disk use per host."


def test_a_dashboard_of_the_project_still_needs_a_description() -> None:
    with pytest.raises(ValidationError, match="dashboard 'Mine' has no description: say who looks at it and for what"):
        Dashboard(name="Mine", panels=(Panel(title="t", kind="stat", queries=(Query(expr="up"),)),))
