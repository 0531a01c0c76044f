"""JSON held in a string (Grafana keeps some so: a panel's description, a JSON custom variable) nested deeper than
Python's parser recurses. The file's own depth is bounded when it is read (core.untrusted), a string's content is
not: the secret scan and the custom variable's options read it as the text it is instead of failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.checks import secrets
from generator.core.errors import ProblemsFound
from generator.core.grafana_interpolation import custom_labelled_options
from generator.importer.write import import_files
from tests.importer.conftest import base_definitions

DEPTH = 100_000
SLACK = "https://hooks.slack.com/services/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"


def _deep(inner: str = "1") -> str:
    return '{"a": ' + "[" * DEPTH + inner + "]" * DEPTH + "}"


def _dashboard(description: str) -> str:
    panel = {"type": "text", "title": "t", "id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "description": description, "options": {"content": "hi"}}
    return json.dumps({"title": "Deep", "uid": "deep", "panels": [panel]})


def test_the_secret_scan_reads_deep_json_in_a_string_as_text() -> None:
    # main: RecursionError (the build said "check SC001 secret-in-output could not run ... please report this")
    assert not secrets._suspect([({"description": _deep()}, True)])
    found, _ = secrets._found({"out.json": {"description": _deep(json.dumps(SLACK))}})
    assert [secret.kind for secret in found] == ["Slack Token"]
    assert list(secrets._strings({"d": _deep()})) == [(("d",), "d"), (("d",), _deep())]


def test_a_dashboard_holding_deep_json_in_a_string_is_imported(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    source = tmp_path / "deep.json"
    source.write_text(_dashboard(_deep()))
    assert [path.name for path in import_files([source], definitions).modules] == ["dashboards_deep.py"]


def test_a_credential_inside_deep_json_in_a_string_is_still_refused(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    source = tmp_path / "deep.json"
    source.write_text(_dashboard(_deep(json.dumps(SLACK))))
    with pytest.raises(ProblemsFound, match="Slack Token"):
        import_files([source], definitions)


def test_a_json_custom_variable_nested_too_deep_has_no_options() -> None:
    # main: RecursionError
    assert custom_labelled_options({"valuesFormat": "json", "query": "[" * DEPTH + "]" * DEPTH}) == []
