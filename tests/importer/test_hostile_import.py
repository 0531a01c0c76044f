"""`obsgen import` of hostile files: no value read can end a string in the module written, so nothing runs.

Every payload below tries to close the literal or docstring it is pasted into and call code that creates
a marker file. Each is put in every field the importer copies, one import per field; an import either
keeps the exact string (the loaded project holds it) or refuses the value, and the marker never appears.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core.errors import DefinitionError
from generator.importer.rulefiles import kebab
from generator.importer.write import import_files
from tests.importer.conftest import base_definitions, loaded_strings

RUN = '__import__("pathlib").Path(r"{marker}").touch()'
PAYLOADS = [
    'g""";' + RUN + ';"""g',
    "g''';" + RUN + ";'''g",
    'x"\n' + RUN + '\n"',
    'x\\");' + RUN + ';("',
    "x\r" + RUN + "#",
    "x\u2028" + RUN,
    "x\\\n" + RUN,
    "{" + RUN + "}",
]


def prometheus_rule(value: str, field: str) -> dict[str, Any]:
    """A PrometheusRule with value in one field, every other field plain."""
    alert: dict[str, Any] = {"alert": "HostileAlert", "expr": "vector(1) > 0", "for": "5m",
                             "labels": {"severity": "warning"}, "annotations": {"summary": "plain"}}
    group: dict[str, Any] = {"name": "hostile", "rules": [alert, {"record": "job:hostile:sum", "expr": "vector(1)"}]}
    manifest: dict[str, Any] = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                                "metadata": {"name": "hostile-rules"}, "spec": {"groups": [group]}}
    placed: dict[str, Callable[[], None]] = {
        "metadata.name": lambda: manifest["metadata"].update(name=value),
        "group name": lambda: group.update(name=value),
        "group label value": lambda: group.update(labels={"team": value}),
        "group extra field": lambda: group.update(partial_response_strategy=value),
        "group extra key": lambda: group.update({value: "x"}),
        "alert name": lambda: alert.update(alert=value),
        "record name": lambda: group["rules"][1].update(record=value),
        "expr": lambda: alert.update(expr=value),
        "for": lambda: alert.update({"for": value}),
        "label value": lambda: alert["labels"].update(team=value),
        "label name": lambda: alert["labels"].update({value: "x"}),
        "annotation value": lambda: alert["annotations"].update(description=value),
        "annotation name": lambda: alert["annotations"].update({value: "x"}),
    }
    placed[field]()
    return manifest


def dashboard_config_map(value: str, field: str) -> dict[str, Any]:
    """A dashboard ConfigMap (old schema: rows, graph panels) with value in one field."""
    target: dict[str, Any] = {"expr": "up", "legendFormat": "{{instance}}", "refId": "A"}
    panel: dict[str, Any] = {"type": "graph", "title": "Up", "description": "plain", "targets": [target],
                             "links": [{"title": "docs", "url": "https://example.com"}]}
    row: dict[str, Any] = {"title": "Row", "showTitle": True, "panels": [panel]}
    dashboard: dict[str, Any] = {"title": "Hostile", "rows": [row], "schemaVersion": 14, "tags": ["plain"]}
    config_map: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": "grafana-dashboard-hostile",
                                               "annotations": {"grafana_folder": "Folder"}},
                                  "data": {"hostile.json": ""}}
    placed: dict[str, Callable[[], None]] = {
        "ConfigMap name": lambda: config_map["metadata"].update(name=value),
        "ConfigMap data key": lambda: config_map.update(data={value + ".json": ""}),
        "folder annotation": lambda: config_map["metadata"]["annotations"].update(grafana_folder=value),
        "dashboard title": lambda: dashboard.update(title=value),
        "dashboard tag": lambda: dashboard.update(tags=[value]),
        "row title": lambda: row.update(title=value),
        "panel title": lambda: panel.update(title=value),
        "panel description": lambda: panel.update(description=value),
        "legend": lambda: target.update(legendFormat=value),
        "query": lambda: target.update(expr=value),
        "link title": lambda: panel["links"][0].update(title=value),
        "panel extra field": lambda: panel.update(hostileOption=value),
    }
    placed[field]()
    key = next(iter(config_map["data"]))
    config_map["data"][key] = json.dumps(dashboard)
    return config_map


RULE_FIELDS = ["metadata.name", "group name", "group label value", "group extra field", "group extra key",
               "alert name", "record name", "expr", "for", "label value", "label name", "annotation value",
               "annotation name"]
NAMES = {"metadata.name"}
DASHBOARD_FIELDS = ["ConfigMap name", "ConfigMap data key", "folder annotation", "dashboard title", "dashboard tag",
                    "row title", "panel title", "panel description", "legend", "query", "link title",
                    "panel extra field"]
CASES = [("rules", field) for field in RULE_FIELDS] + [("dashboard", field) for field in DASHBOARD_FIELDS]


@pytest.mark.parametrize(("kind", "field"), CASES, ids=[f"{kind}: {field}" for kind, field in CASES])
def test_no_value_in_any_copied_field_runs_code(tmp_path: Path, kind: str, field: str) -> None:
    marker = tmp_path / "ran"
    outcomes = []
    for index, template in enumerate(PAYLOADS):
        value = template.replace("{marker}", str(marker))
        document = prometheus_rule(value, field) if kind == "rules" else dashboard_config_map(value, field)
        source = tmp_path / f"hostile-{index}.yaml"
        source.write_text(yaml.safe_dump(document))
        definitions = base_definitions(tmp_path / str(index))
        try:
            import_files([source], definitions, module="hostile")
        except DefinitionError as error:
            outcomes.append(f"refused: {error.message[:60]}")
            continue
        written = ast.parse((definitions / "hostile.py").read_text(encoding="utf-8"))
        noted = " ".join((ast.get_docstring(written, clean=False) or "").split())  # notes are wrapped
        kept = value if field not in NAMES else kebab(value)  # names become rule set names, slugged
        found = any(kept in text for text in loaded_strings(definitions)) or " ".join(value.split()) in noted
        outcomes.append("kept" if found else f"altered: {value!r}")

    assert not marker.exists()
    assert not [outcome for outcome in outcomes if outcome.startswith("altered")], outcomes


def test_a_file_name_that_closes_the_docstring_runs_nothing(tmp_path: Path, definitions: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OBSGEN_HOSTILE_RAN", raising=False)
    source = tmp_path / 'x""";__import__("os").environ.__setitem__("OBSGEN_HOSTILE_RAN", "1");"""x.yaml'
    record = {"record": "job:a:sum", "expr": "vector(1)"}
    source.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [record]}]}))

    report = import_files([source], definitions, module="named")
    loaded_strings(definitions)

    assert report.modules and "OBSGEN_HOSTILE_RAN" not in os.environ


SURROGATE_TEXT = '{\n "title": "Disks",\n "panels": [\n  {"type": "row", "title": "Row %s", "panels": [\n' \
                 '   {"type": "timeseries", "title": "Free %s",\n    "targets": [{"expr": "up%s"}]}]}],\n' \
                 ' "tags": ["%s"]\n}\n'


@pytest.mark.parametrize(("where", "fill", "message"), [
    ("row title", ("\\ud800", "", "", ""), r"dashboards.json:4: cannot import: dashboard 'Disks': row 'Row \\ud800': "
                                          r"'Row \\ud800' holds half of a UTF-16 surrogate pair"),
    ("panel title", ("", "\\udfff", "", ""), r"dashboards.json:5: cannot import: dashboard 'Disks': panel "
                                            r"'Free \\udfff': 'Free \\udfff' holds half of a UTF-16 surrogate pair"),
    ("query", ("", "", "\\uDBFF", ""), r"dashboards.json:6: cannot import: dashboard 'Disks': panel 'Free ': "
                                      r"'up\\udbff' holds half"),
    ("dashboard field", ("", "", "", "t\\ud800"), r"dashboards.json:7: cannot import: dashboard 'Disks': "
                                                 r"'t\\ud800' holds half"),
    ("a whole pair", ("\\ud83d\\ude00", "", "", ""), None),
], ids=["row title", "panel title", "query", "dashboard field", "a whole pair"])
def test_half_a_surrogate_pair_is_refused_naming_the_file_line_dashboard_and_panel(
        tmp_path: Path, definitions: Path, where: str, fill: tuple[str, ...], message: str | None) -> None:
    # JSON's \ud800 escape is no character: the import wrote it into a module, then the build failed naming
    # stack.py ("check SC001 could not run (UnicodeEncodeError ...)"), or the error named another panel.
    source = tmp_path / "dashboards.json"
    source.write_text(SURROGATE_TEXT % fill)
    if message is None:
        import_files([source], definitions)
        assert (definitions / "dashboards_dashboards.py").read_text(encoding="utf-8")
        return
    with pytest.raises(DefinitionError, match=message):
        import_files([source], definitions)
    assert not (definitions / "dashboards_dashboards.py").exists()


def test_half_a_surrogate_pair_in_a_dashboard_title_is_refused_by_the_command(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    source = tmp_path / "hostile.json"
    source.write_text('{"title": "Disks \\ud800",\n "panels": [{"type": "text", "title": "t", "options": {}}]}')
    result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions), str(source)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == (f"error: {source}:1: cannot import: dashboard 'Disks \\ud800': 'Disks \\ud800' holds half "
                             "of a UTF-16 surrogate pair, which is no character (neither UTF-8 nor Grafana can hold "
                             "it): write the character whole or leave it out\n")


def test_json_in_a_manifest_that_cannot_be_read_is_named_with_its_own_line(tmp_path: Path, definitions: Path) -> None:
    # Its lines are the JSON's, not the file's: the error said "cm.yaml: ... (first at line 1)" and no more. The
    # file's line is the key holding the JSON's text
    source = tmp_path / "cm.yaml"
    source.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: boards\ndata:\n  disks.json: |\n'
                      '    {"title": "Disks",\n     "panels": [{"type": "text", "title": "t", "options": {}}],\n'
                      '     "title": "Again"}\n')
    with pytest.raises(DefinitionError, match=r"cm.yaml:6: cannot import: ConfigMap boards data 'disks.json', line 3 "
                                              r"of its JSON: key 'title' is written twice in one object \(first at "
                                              r"line 1\)"):
        import_files([source], definitions)
    source.write_text('kind: GrafanaDashboard\nmetadata: {name: gd}\nspec:\n  json: |\n    {"title": "X",\n'
                      '     "panels": [}\n')
    with pytest.raises(DefinitionError, match=r"cm.yaml:4: cannot import: GrafanaDashboard gd spec.json, line 2 of "
                                              r"its JSON: Expecting value"):
        import_files([source], definitions)


@pytest.mark.parametrize(("force", "planted"), [(True, "kept.py"), (True, "fresh.py"), (False, "fresh.py")],
                         ids=["a link to a file, replaced with --force", "a link to no file yet, replaced with --force",
                              "a link to no file yet, refused without"])
def test_a_module_planted_as_a_link_is_never_written_through(tmp_path: Path, definitions: Path, force: bool,
                                                             planted: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.py").write_text("kept = 1\n")
    (definitions / "module.py").symlink_to(outside / planted)
    source = tmp_path / "rules.yaml"
    record = {"record": "job:a:sum", "expr": "vector(1)"}
    source.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [record]}]}))

    if force:
        import_files([source], definitions, module="module", force=True)
        assert not (definitions / "module.py").is_symlink()  # the old tree wrote through the link
    else:
        with pytest.raises(DefinitionError, match="module exists"):  # the old tree wrote through it
            import_files([source], definitions, module="module")
    assert [(path.name, path.read_text()) for path in outside.iterdir()] == [("kept.py", "kept = 1\n")]
