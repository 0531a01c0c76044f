"""Every subcommand given a missing, empty or garbage path: `error:` lines only (one per problem) and a non-zero
exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli.app import app

PROMETHEUS = ["--prometheus-url", "http://127.0.0.1:9"]


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """missing, an empty directory and file, and garbage: a file where a directory is expected, bytes that are
    neither UTF-8 nor YAML, a module that is not UTF-8."""
    root = tmp_path_factory.mktemp("bad-paths")
    (root / "empty").mkdir()
    (root / "empty.yml").write_text("")
    (root / "garbage.yml").write_bytes(b"\x00\xff garbage {[")
    (root / "garbage-definitions").mkdir()
    (root / "garbage-definitions" / "x.py").write_bytes(b"\xff\xfe=bad")
    return root


DIRECTORY_COMMANDS = [
    ["build", "--definitions", "{path}", "--out", "{root}/out"],
    ["list", "--definitions", "{path}"],
    ["latency", "--definitions", "{path}"],
    ["import", "{root}/empty.yml", "--definitions", "{path}"],
    ["up", "--definitions", "{path}", "--state-dir", "{root}/state", "--free-ports"],
    ["check", "{path}", "--definitions", "{path}"],
    ["apply", "--out", "{path}", *PROMETHEUS, "--prometheus-dir", "{root}/served"],
    ["status", "--out", "{path}", *PROMETHEUS],
]
FILE_COMMANDS = [
    ["import", "{path}", "--definitions", "{root}/empty"],
    ["exporter", "--config", "{path}"],
    ["forecast", "report", "--config", "{path}"],
    ["build", "--definitions", "{path}", "--out", "{root}/out"],
    ["demo-db", "--dsn", "garbage://{path}"],
]
CASES = ([(command, path) for command in DIRECTORY_COMMANDS for path in ("missing", "empty", "garbage-definitions")]
         + [(command, path) for command in FILE_COMMANDS for path in ("missing.yml", "empty.yml", "garbage.yml")])


@pytest.mark.parametrize(("command", "path"), CASES, ids=[f"{' '.join(c[:2])} {p}" for c, p in CASES])
def test_a_bad_path_is_one_error_line(paths: Path, command: list[str], path: str) -> None:
    args = [arg.format(path=paths / path, root=paths) for arg in command]

    result = CliRunner().invoke(app, args)

    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code != 0, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert errors and all(line.startswith("error: ") for line in errors), result.stderr


def test_a_module_saved_as_utf16_is_named_as_an_encoding_problem(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "alerts.py").write_text("ALERTS = ()\n", encoding="utf-16")

    result = CliRunner().invoke(app, ["build", "--definitions", str(definitions), "--out", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {definitions / 'alerts.py'}:1: not UTF-8 Python source: it holds NUL bytes (saved as UTF-16 or "
        "UTF-32?); save it as UTF-8 [LD001]"]


def test_a_demo_database_that_cannot_be_written_is_one_error_line(tmp_path: Path) -> None:
    """A SQLite file in a directory that does not exist ended in sqlalchemy's traceback."""
    result = CliRunner().invoke(app, ["demo-db", "--dsn", f"sqlite:///{tmp_path}/missing/shop.db", "--days", "0.01"])

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: cannot write the demo database at sqlite:///") and \
        "unable to open database file" in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
