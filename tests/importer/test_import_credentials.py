"""`obsgen import` writes no credential into definitions/: each is named at its source file's line and field, with
the build's detector and code (SC001), and nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.checks import secrets
from generator.core.errors import ProblemsFound
from generator.importer import credentials
from generator.importer.write import import_files
from tests.importer.conftest import base_definitions

TOKEN = "Zq8Xw7Ve6Ut5Sr4Qp3On2Ml1"
SLACK = f"https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/{TOKEN}"


def _rules(annotations: dict[str, str], labels: dict[str, str] | None = None) -> str:
    rule = {"alert": "AppDown", "expr": 'up{job="app"} == 0', "labels": labels or {"severity": "page"},
            "annotations": {"summary": "app is down", **annotations}}
    return yaml.safe_dump({"groups": [{"name": "app", "rules": [rule]}]}, sort_keys=False)


def _dashboard(**extra: object) -> str:
    panel = {"type": "timeseries", "title": "p", "id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "targets": [{"expr": "up", "refId": "A"}]}
    return json.dumps({"title": "Leaky", "uid": "leaky", "panels": [panel], **extra}, indent=1)


CASES = {
    "slack webhook in a runbook url": ("rules.yaml", _rules({"runbook_url": SLACK}), "runbook_url"),
    "bearer header in a description": (
        "rules.yaml", _rules({"description": f'curl -H "Authorization: Bearer {TOKEN}" https://x'}), "description"),
    "token parameter in a label": (
        "rules.yaml", _rules({}, {"severity": "page", "dashboard": f"https://g.example.com/d/x?token={TOKEN}"}),
        "dashboard"),
    "password in a dashboard link": (
        "dash.json", _dashboard(links=[{"title": "db", "type": "link",
                                        "url": "https://admin:Hunter2secretPw@db.example.com/"}]), "links.0.url"),
    "token parameter in a panel link": (
        "dash.json", _dashboard(links=[{"title": "ops", "type": "link",
                                        "url": f"https://ops.example.com/d?token={TOKEN}"}]), "links.0.url"),
}


def _line_of(text: str) -> int:
    return next(number for number, written in enumerate(text.splitlines(), 1)
                if TOKEN in written or "Hunter2" in written)


@pytest.mark.parametrize("case", list(CASES))
def test_a_credential_is_named_at_its_line_and_nothing_is_written(tmp_path: Path, case: str) -> None:
    name, text, field = CASES[case]
    definitions = base_definitions(tmp_path)
    before = sorted(path.name for path in definitions.iterdir())
    source = tmp_path / name
    source.write_text(text)
    line = _line_of(text)
    with pytest.raises(ProblemsFound) as raised:
        import_files([source], definitions)
    [problem] = raised.value.problems
    assert (problem.location.file, problem.location.line, problem.code) == (str(source), line, "SC001")
    assert field in problem.message and "nothing imported" in problem.message
    assert TOKEN not in problem.message and "Hunter2secretPw" not in problem.message
    assert sorted(path.name for path in definitions.iterdir()) == before


def test_the_command_lists_every_credential_of_every_file_and_exits_1(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    rules, dashboard = tmp_path / "rules.yaml", tmp_path / "dash.json"
    rules.write_text(_rules({"runbook_url": SLACK}))
    dashboard.write_text(CASES["password in a dashboard link"][1])
    result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions), str(rules),
                             str(dashboard)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == [f"{dashboard}:{_line_of(dashboard.read_text())}",
                                                      f"{rules}:{_line_of(rules.read_text())}"], result.stderr
    assert all(line.startswith("error: ") and line.endswith("[SC001]") for line in lines)
    assert "Traceback" not in result.stderr and not list(definitions.glob("rules*.py"))


def test_a_reference_is_imported(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    source = tmp_path / "rules.yaml"
    source.write_text(_rules({"runbook_url": "https://wiki.example.com/runbooks/app-down",
                              "description": 'curl -H "Authorization: Bearer $TOKEN" https://x'}))
    report = import_files([source], definitions)
    assert [path.name for path in report.modules] == ["rules.py"]


def test_a_password_that_is_also_a_word_elsewhere_is_named_at_the_url_it_is_in(tmp_path: Path) -> None:
    # "grafana" is also the built-in annotation's datasource type (line 2) and the link's host: the first string
    # holding the password's text is not where it is a password
    definitions = base_definitions(tmp_path)
    builtin = {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
               "hide": True, "name": "Annotations & Alerts", "type": "dashboard"}
    text = _dashboard(annotations={"list": [builtin]},
                      links=[{"title": "Grafana", "type": "link", "url": "http://admin:grafana@grafana.example.com/"}])
    source = tmp_path / "dash.json"
    source.write_text(text)
    with pytest.raises(ProblemsFound) as raised:
        import_files([source], definitions)
    [problem] = raised.value.problems
    line = next(number for number, written in enumerate(text.splitlines(), 1) if "admin:grafana@" in written)
    assert problem.location.line == line and " in extra.links.0.url " in problem.message, problem


def _config_map(*uids: str) -> str:
    """A ConfigMap of leaky dashboards, each a YAML block of its own lines."""
    link = {"title": "db", "type": "link", "url": "https://admin:Hunter2secretPw@db.example.com/"}
    data = "".join(f"  {uid}.json: |\n" + "".join(f"    {line}\n" for line in _dashboard(links=[link]).replace(
        '"uid": "leaky"', f'"uid": "{uid}"').splitlines()) for uid in uids)
    return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dashboards}\ndata:\n" + data


def test_one_credential_in_two_dashboards_of_a_config_map_is_named_at_each_line(tmp_path: Path) -> None:
    # both were named at the first one's line, twice
    definitions = base_definitions(tmp_path)
    source = tmp_path / "dashboards.yaml"
    source.write_text(text := _config_map("a", "b"))
    with pytest.raises(ProblemsFound) as raised:
        import_files([source], definitions)
    lines = [number for number, written in enumerate(text.splitlines(), 1) if "Hunter2" in written]
    assert [(problem.location.line, "dashboards_a.py" in problem.message, "dashboards_b.py" in problem.message)
            for problem in raised.value.problems] == [(lines[0], True, False), (lines[1], False, True)]


def test_one_place_holding_a_credential_two_modules_would_get_is_one_error_naming_both(tmp_path: Path) -> None:
    source = tmp_path / "rules.yaml"
    source.write_text(_rules({"runbook_url": SLACK}))
    [secret, field, holding] = secrets.in_document({"runbook_url": SLACK})[0]
    leaked = [credentials.Credential(source, tmp_path / f"{name}.py", secret, ("annotations", "runbook_url"),
                                     holding) for name in ("a", "b")]
    with pytest.raises(ProblemsFound) as raised:
        credentials.refuse(leaked, 2**20)
    [problem] = raised.value.problems
    assert problem.location.line == _line_of(source.read_text()) and field == ("runbook_url",)
    assert "definitions/a.py and definitions/b.py" in problem.message
    assert problem.message.count("annotations.runbook_url") == 1
