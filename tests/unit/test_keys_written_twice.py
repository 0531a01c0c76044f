"""A key written twice in a YAML mapping or a JSON object is refused at its line by every reader of a file that may
be hostile (files to import, the exporter's configuration, out/ given to apply), never the last one silently kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.apply import grafana, referenced, rules
from generator.apply.grafana_api import Grafana
from generator.apply.http import Api, Connection, Credentials
from generator.core.untrusted import ReadError, load_json, load_yaml
from generator.exporter.config import ConfigError, load_config
from tests.grafana_fake import fake_grafana
from tests.importer.conftest import base_definitions


def test_the_exporter_configuration_refuses_a_key_written_twice_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "exporter.yml"
    path.write_text("databases:\n- name: shop\n  dsn_env: SHOP_DATABASE_URL\n  dsn_env: OTHER_URL\n")
    with pytest.raises(ConfigError, match=r"exporter.yml:4: cannot read the exporter configuration: mapping key "
                                          r"'dsn_env' is written twice \(first at line 3\)"):
        load_config(path)


def test_an_out_rule_file_refuses_a_key_written_twice_at_its_line() -> None:
    data = b"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n    for: 1h\n"
    with pytest.raises(rules.MalformedFile, match=r"^rules/a.yml:7: mapping key 'for' is written twice \(first at "
                                                  r"line 6\)"):
        rules.from_files({"rules/a.yml": data}, 60.0)


def test_the_files_a_configuration_names_are_read_with_no_key_written_twice() -> None:
    config = b"receivers:\n- name: ops\n  slack_configs:\n  - api_url_file: /a\n    api_url_file: /b\n"
    with pytest.raises(rules.MalformedFile, match=r"^config:5: mapping key 'api_url_file' is written twice") as raised:
        referenced.named_files(config)
    assert raised.value.line == 5


def test_an_out_dashboard_with_a_key_written_twice_is_refused_before_any_request(tmp_path: Path) -> None:
    path = tmp_path / "out" / grafana.DASHBOARDS / "Operations/ops.json"
    path.parent.mkdir(parents=True)
    path.write_text('{\n "uid": "ops",\n "title": "Ops",\n "refresh": "10s",\n "panels": [],\n "refresh": "1h"\n}\n')
    with fake_grafana() as fake:
        client = Grafana(Api(Connection("grafana", fake.url, Credentials(token="t"), timeout=5, retries=0)))
        with pytest.raises(grafana.ApplyInputError, match=r"Operations/ops.json:6: cannot apply it: key 'refresh' "
                                                          r"is written twice in one object \(first at line 4\)"):
            grafana.apply(client, tmp_path / "out")
        assert fake.requests == []


def test_an_imported_dashboard_with_a_key_written_twice_is_refused_at_its_line(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    source = tmp_path / "twice.json"
    source.write_text('{"title": "Twice",\n "panels": [\n  {"type": "text",\n   "title": "t",\n   "title": "u",\n'
                      '   "options": {"content": "x"}}]}\n')
    result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions), str(source)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == (f"error: {source}:5: cannot import: key 'title' is written twice in one object (first "
                             "at line 4); the last one would silently win\n")


@pytest.mark.parametrize(("text", "line", "key", "first"), [
    ('{"a": {"k": 1, "k": 2}}', 1, "k", 1),
    ('[{"k": 1},\n {"k": 1,\n  "\\u006b": 2}]', 3, "k", 2),  # the same key escaped
    ('{"s": "{\\"k\\": 1, \\"k\\": 1}",\n "k": [{"k": 1}],\n "k": 0}', 3, "k", 2),  # a string is no object
])
def test_json_keys_written_twice_are_found_at_their_line(text: str, line: int, key: str, first: int) -> None:
    with pytest.raises(ReadError, match=rf"key '{key}' is written twice in one object \(first at line {first}\)") as \
            raised:
        load_json(text)
    assert raised.value.line == line


def test_the_same_key_in_two_objects_or_documents_is_no_repetition() -> None:
    assert load_json('[{"k": 1}, {"k": 2, "j": {"k": 3}}]') == [{"k": 1}, {"k": 2, "j": {"k": 3}}]
    assert load_yaml("k: 1\nj: {k: 2}\n---\nk: 3\n") == [{"k": 1, "j": {"k": 2}}, {"k": 3}]
