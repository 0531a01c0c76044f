"""A malformed file of out/ or a damaged live-stack state file: one `error:` line naming the file and a non-zero
exit from status, up and down, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = ["--prometheus-url", "http://127.0.0.1:9", "--retries", "0"]
NO_SUCH_PID = 4194305  # above Linux's largest pid_max: never a process


def _one_error(result: object, *words: str) -> None:
    stderr = getattr(result, "stderr", "")
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert getattr(result, "exit_code", 0) != 0, getattr(result, "output", "")
    assert isinstance(getattr(result, "exception", None), SystemExit | None), getattr(result, "exception", None)
    assert len(errors) == 1 and errors[0].startswith("error: "), stderr
    assert all(word in errors[0] for word in words), stderr


@pytest.mark.parametrize("text", ["groups: [\n", "groups:\n- name: g\n  rules:\n  - expr: up\n", "- just a list\n"])
def test_status_names_a_rule_file_of_out_that_is_not_one(tmp_path: Path, text: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(ROOT / "out", out)
    (out / "prometheus/rules/zz.yml").write_text(text)

    result = CliRunner().invoke(app, ["status", "--out", str(out), *UNREACHABLE])

    _one_error(result, f"{out}/prometheus/rules/zz.yml:")


def _state(tmp_path: Path, text: str) -> Path:
    state_dir = tmp_path / "live"
    state_dir.mkdir()
    (state_dir / "state.json").write_text(text)
    return state_dir


@pytest.mark.parametrize("command", [["down", "--state-dir", "{s}"], ["up", "--state-dir", "{s}", "--free-ports"],
                                     ["status"], ["ack", "--list"]])
def test_a_damaged_state_file_is_named(tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    state_dir = _state(tmp_path, '{"processes": [\n')
    monkeypatch.setenv("OBSGEN_STATE_DIR", str(state_dir))
    monkeypatch.delenv("PROMETHEUS_URL", raising=False)
    monkeypatch.delenv("ALERTMANAGER_URL", raising=False)

    result = CliRunner().invoke(app, [arg.format(s=state_dir) for arg in command])

    _one_error(result, f"{state_dir}/state.json", "damaged")


def test_down_stops_what_a_state_file_from_a_later_obsgen_records(tmp_path: Path) -> None:
    process = {"name": "x", "pid": NO_SUCH_PID, "started": 1, "argv": [], "log": "", "added_later": 1}
    state_dir = _state(tmp_path, json.dumps({"processes": [process], "info": {}}))

    result = CliRunner().invoke(app, ["down", "--state-dir", str(state_dir)])

    assert result.exit_code == 0, result.output
    assert f"x               pid {NO_SUCH_PID:<8} already gone" in result.stdout
    assert not (state_dir / "state.json").exists()
