"""`obsgen check` fails an out/ whose dashboards Grafana would refuse: not JSON, not a dashboard's shape, not a
regular file, or a uid two files claim; the promise of the README (check runs "the dashboard lint on out/")."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.checks.out_dashboards import check
from generator.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"uid": "good", "title": "Good", "panels": [{"id": 1, "type": "timeseries", "title": "p",
                                                    "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                                                    "targets": [{"expr": "up", "refId": "A"}]}]}
BAD = {
    "not JSON": ("not json", "not JSON: line 1: Expecting value"),
    "a list": ("[1, 2]", "not a Grafana dashboard: the document is a list, not an object"),
    "panels a string": ('{"panels": "x"}', "not a Grafana dashboard: panels is a string, not a list"),
    "a panel a number": ('{"title": "x", "panels": [1]}',
                         "not a Grafana dashboard: panels[0] is a number, not an object"),
    "not UTF-8": (b"\xff\xfe{}", "'utf-8' codec can't decode byte 0xff"),
    "a key written twice": ('{"uid": "a",\n "uid": "b", "panels": []}',
                            "not read as written: line 2: key 'uid' is written twice in one object"),
    "nested too deep": ('{"panels": ' + "[" * 100 + "]" * 100 + "}", "not read as written: line 1: nested deeper"),
}


def _out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "grafana/dashboards/General").mkdir(parents=True)
    (out / "grafana/dashboards/General/good.json").write_text(json.dumps(GOOD))
    return out


@pytest.mark.parametrize(("content", "message"), BAD.values(), ids=BAD.keys())
def test_a_dashboard_grafana_would_refuse_fails_naming_its_file(tmp_path: Path, content: str | bytes,
                                                                message: str) -> None:
    out = _out(tmp_path)
    bad = out / "grafana/dashboards/General/bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())

    result = check(out)

    assert not result.ok
    assert result.output.startswith(f"grafana/dashboards/General/bad.json: {message}"), result.output


def test_a_device_in_out_is_refused_unread(tmp_path: Path) -> None:
    out = _out(tmp_path)
    (out / "grafana/dashboards/General/zero.json").symlink_to("/dev/zero")
    os.mkfifo(out / "grafana/dashboards/General/fifo.json")

    result = check(out)

    assert result.output.splitlines() == [
        "grafana/dashboards/General/fifo.json: it is a FIFO, not a regular file",
        "grafana/dashboards/General/zero.json: it is a character device, not a regular file"]


def test_two_files_with_one_uid_fail(tmp_path: Path) -> None:
    out = _out(tmp_path)
    (out / "grafana/dashboards/Other").mkdir()
    (out / "grafana/dashboards/Other/copy.json").write_text(json.dumps(GOOD))

    result = check(out)

    assert result.output == ("grafana/dashboards/Other/copy.json: uid 'good' is also "
                             "grafana/dashboards/General/good.json's: Grafana loads only one of them")


def test_the_shipped_dashboards_pass() -> None:
    result = check(ROOT / "out")

    assert result.ok and result.output == "", result.output
    shipped = list((ROOT / "out/grafana/dashboards").rglob("*.json"))
    assert result.name == f"grafana dashboards parse ({len(shipped)} files)"


def test_obsgen_check_fails_on_a_dashboard_that_is_not_json(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(ROOT / "tests/checks/base", definitions, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    built = CliRunner().invoke(app, ["build", "--definitions", str(definitions), "--out", str(out), "--full", "-q"])
    assert built.exit_code == 0, built.output
    (out / "grafana/dashboards/General").mkdir(parents=True, exist_ok=True)
    (out / "grafana/dashboards/General/hand-edited.json").write_text("not json")

    result = CliRunner().invoke(app, ["check", str(out), "--definitions", str(definitions)])

    assert result.exit_code == 1, result.output
    assert "FAIL grafana dashboards parse" in result.output
    assert "grafana/dashboards/General/hand-edited.json: not JSON: line 1: Expecting value" in result.output
