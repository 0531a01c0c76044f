"""A help printed before is printed again from its record, byte for byte, while nothing it came from has changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import command_record
from generator.cli.command_record import KEPT, CommandRecord
from generator.core.sealed_file import read_sealed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "__pycache__" / "obsgen-commands.record"
    monkeypatch.setattr(command_record, "RECORD", str(path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    # this test process has loaded far more modules than obsgen does (each a source of every help, so in its record)
    monkeypatch.setattr(command_record, "LIMIT", 1 << 30)
    return path


def _render(arguments: list[str], text: str, code: int = 0) -> None:
    """What the CLI does on a miss: run the command (here one printing `text`) while recording."""
    with pytest.raises(SystemExit), CommandRecord(arguments).recording():
        print(text, end="")
        raise SystemExit(code)


def _replayed(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str | None:
    capsys.readouterr()
    return capsys.readouterr().out if CommandRecord(arguments).replay_help() else None


def _help_twice(record: Path, arguments: list[str], then: str) -> list[str]:
    """The program run twice on `obsgen <arguments>` as its console script runs it (re imported first), in fresh
    processes keeping their help in `record`; what each printed, then what `then` prints after it."""
    code = (f"import re, sys; sys.argv = ['obsgen', *{arguments!r}]\nfrom generator.cli import command_record\n"
            "from generator.cli.entry import main\n"
            f"command_record.RECORD = {str(record)!r}\ntry:\n    main()\nexcept SystemExit:\n    pass\n{then}")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env=environment).stdout for _ in range(2)]


def test_the_cli_prints_a_help_again_without_importing_typer(record: Path) -> None:
    first, second = _help_twice(record, ["build", "--help"], "print('TYPER' if 'typer' in sys.modules else 'NO TYPER')")
    assert first.endswith("TYPER\n") and "--definitions" in first
    assert second == first.replace("TYPER\n", "NO TYPER\n")


def test_a_replayed_help_imports_no_typing(record: Path) -> None:
    # typing is 2-3 ms of a replayed help's 25-30 ms of CPU; a replay needs only os, json, hashlib and hmac (and re,
    # which the console script imports first)
    first, second = _help_twice(record, ["--help"], "print('LOADED', *sorted({'typing', 'typer'} & set(sys.modules)))")
    assert "typer" in first.split("LOADED")[1]
    assert second.split("LOADED")[1].split() == []


def test_a_help_is_kept_per_command_line_and_the_most_recent_ones(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [[*["forecast"] * count, "--help"] for count in range(KEPT + 1)]
    for number, arguments in enumerate(lines):
        _render(arguments, f"help {number}\n")
    assert _replayed(lines[0], capsys) is None  # the oldest went
    assert [_replayed(arguments, capsys) for arguments in lines[1:]] == [f"help {number}\n" for number in
                                                                         range(1, KEPT + 1)]


def test_a_changed_module_renders_the_help_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "commands_of_a_plugin.py"
    source.write_text("NAME = 'one'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("commands_of_a_plugin")
    monkeypatch.delitem(sys.modules, "commands_of_a_plugin")
    monkeypatch.setitem(sys.modules, "commands_of_a_plugin", __import__("commands_of_a_plugin"))
    arguments = ["--help"]
    _render(arguments, "usage\n")
    assert _replayed(arguments, capsys) == "usage\n"
    source.write_text("NAME = 'two, longer'\n")
    assert _replayed(arguments, capsys) is None


def test_another_environment_or_a_package_installed_renders_the_help_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    _render(["--help"], "usage\n")
    assert _replayed(["--help"], capsys) == "usage\n"
    with monkeypatch.context() as changed:  # (restored as it was: a pytest-xdist worker has COLUMNS set)
        changed.setenv("COLUMNS", "200")
        assert _replayed(["--help"], capsys) is None
    (site / ".pytest_cache").mkdir()  # a tool's cache in a checkout on sys.path: nothing an import could find
    os.utime(site, ns=(0, 0))
    assert _replayed(["--help"], capsys) == "usage\n"
    (site / ".hidden.pth").write_text("")  # but site runs a .pth at the start, even a hidden one (3.11.7's does)
    assert _replayed(["--help"], capsys) is None
    (site / ".hidden.pth").unlink()
    assert _replayed(["--help"], capsys) == "usage\n"
    (site / "a_package_installed.py").write_text("")
    assert _replayed(["--help"], capsys) is None


@pytest.mark.parametrize(("arguments", "text", "code"), [
    (["build", "--help"], "Error: No such option\n", 2),  # not a help
    (["build", "--definitions", "--help"], "usage\n", 0),  # --help is an option's value here: the command ran
    (["build"], "usage\n", 0),
    (["--help"], "\x1b[1musage\x1b[0m\n", 0),  # coloured for this terminal
    (["--help"], "", 0),
])
def test_only_a_help_printed_in_full_is_kept(arguments: list[str], text: str, code: int,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _render(arguments, text, code)
    assert capsys.readouterr().out == text  # printed as the command printed it
    assert _replayed(arguments, capsys) is None


def test_nothing_is_kept_when_bytecode_is_not(record: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _render(["--help"], "usage\n")
    assert not record.exists()


def test_a_damaged_record_renders_again(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _render(["--help"], "usage\n")
    record.write_bytes(record.read_bytes().replace(b"usage", b"USAGE"))
    assert _replayed(["--help"], capsys) is None
    _render(["--help"], "usage\n")  # and is written anew
    assert _replayed(["--help"], capsys) == "usage\n"


def test_a_record_larger_than_any_help_could_make_is_not_read(record: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    _render(["--help"], "usage\n")
    monkeypatch.setattr(command_record, "LIMIT", record.stat().st_size - 65)  # the record's payload, to the byte
    assert _replayed(["--help"], capsys) == "usage\n"
    monkeypatch.setattr(command_record, "LIMIT", record.stat().st_size - 66)  # one byte short
    assert _replayed(["--help"], capsys) is None


def test_the_oldest_helps_make_room_under_the_limit(record: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _render(["--help"], "usage\n")
    monkeypatch.setattr(command_record, "LIMIT", record.stat().st_size + 100)  # room for one help, not two
    _render(["build", "--help"], "build usage\n")
    assert _replayed(["build", "--help"], capsys) == "build usage\n"
    assert _replayed(["--help"], capsys) is None


def test_a_reader_that_went_away_ends_the_help_without_a_traceback(record: Path) -> None:
    code = (f"import sys; sys.argv = ['obsgen', '--help']\nfrom generator.cli import command_record\n"
            f"from generator.cli.entry import main\ncommand_record.RECORD = {str(record)!r}\nmain()")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for _ in ("rendered", "replayed"):
        reading, writing = os.pipe()
        os.close(reading)  # as `obsgen --help | head -0`
        try:
            done = subprocess.run([sys.executable, "-c", code], stdout=writing, stderr=subprocess.PIPE, text=True,
                                  cwd=ROOT, env=environment, timeout=60)
        finally:
            os.close(writing)
        assert done.returncode == 0 and done.stderr == ""
        assert record.exists()  # the second run replays what the first rendered


def test_a_builds_options_are_kept_for_its_command_line_while_the_program_runs_it() -> None:
    arguments = ["build", "-o", "elsewhere"]
    command_record.parsed_build({"out": "elsewhere"})  # outside the program (a test's CliRunner): nothing kept
    assert CommandRecord(arguments).build_options() is None
    with CommandRecord(arguments).recording():
        command_record.parsed_build({"out": "elsewhere"})
    assert CommandRecord(arguments).build_options() == {"out": "elsewhere"}
    assert CommandRecord(["build"]).build_options() is None  # another command line
    with CommandRecord(["check"]).recording():
        command_record.parsed_build({"out": "out"})  # not a build's command line
    assert CommandRecord(["check"]).build_options() is None
    assert CommandRecord(arguments).build_options() == {"out": "elsewhere"}  # kept beside the others


def test_the_record_keeps_no_variable_of_the_environment(record: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The record is keyed by the environment, which may hold a token exported for another tool: it keeps a digest of
    it, and a changed variable still misses."""
    monkeypatch.setenv("PAGERDUTY_TOKEN", "u+Tk9cBvKq3xQzR7wPmA")
    _render(["--help"], "usage\n")
    assert b"u+Tk9cBvKq3xQzR7wPmA" not in record.read_bytes() and b"PAGERDUTY_TOKEN" not in record.read_bytes()
    assert _replayed(["--help"], capsys) == "usage\n"
    monkeypatch.setenv("PAGERDUTY_TOKEN", "another")
    assert _replayed(["--help"], capsys) is None


def test_two_programs_that_keep_their_builds_at_once_both_keep_them() -> None:
    # One program reads the record at its start and writes it after typer has parsed (60-90 ms, seconds on a loaded
    # machine); another's entry written in between was lost: ci51's test_cli_imports flake, under 6 workers.
    first, second = CommandRecord(["build", "-o", "first"]), CommandRecord(["build", "-o", "second"])
    assert first.build_options() is None and second.build_options() is None  # both have read the record
    with second.recording():
        command_record.parsed_build({"out": "second"})
    with first.recording():
        command_record.parsed_build({"out": "first"})
    assert CommandRecord(["build", "-o", "first"]).build_options() == {"out": "first"}
    assert CommandRecord(["build", "-o", "second"]).build_options() == {"out": "second"}


def test_a_miss_says_which_input_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    arguments = ["build", "-o", "elsewhere"]
    assert CommandRecord(arguments).why_missed() == "no entry of this command line's key among the 0 kept"
    with CommandRecord(arguments).recording():
        command_record.parsed_build({"out": "elsewhere"})
    assert CommandRecord(arguments).why_missed() is None
    (site / "a_package_installed.py").write_text("")
    assert str(CommandRecord(arguments).why_missed()).startswith(f"sys.path entry {str(site)!r}: was ")


def _kept(record: Path) -> list[dict[str, object]]:
    payload = read_sealed(record, command_record.LIMIT)
    assert payload is not None
    entries: list[dict[str, object]] = json.loads(payload)
    return entries


def test_many_command_lines_keep_the_record_bounded(record: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Each new command line evicts the oldest: however many helps and builds run, the record holds the KEPT most
    recent, its payload stays under LIMIT, and no temporary file is left beside it."""
    # (each entry's sources are this test process's thousands of modules, which only make a run slow)
    monkeypatch.setattr(command_record, "_sources", lambda: {"files": [], "path": []})
    lines = []
    for number in range(4 * KEPT):
        if number % 2:
            arguments = ["build", "-o", f"out-{number}"]
            with CommandRecord(arguments).recording():
                command_record.parsed_build({"out": f"out-{number}"})
        else:
            arguments = [*["forecast"] * number, "--help"]
            _render(arguments, f"help {number}\n")
        lines.append(arguments)
        assert len(_kept(record)) == min(number + 1, KEPT)
        assert os.listdir(record.parent) == [record.name]
    assert [entry["key"] for entry in _kept(record)] == [CommandRecord(arguments).key for arguments in
                                                         reversed(lines[-KEPT:])]
    assert CommandRecord(lines[-KEPT - 1]).why_missed() == f"no entry of this command line's key among the {KEPT} kept"
    # under a limit with room for two entries, as many more command lines keep it under the limit
    checks = [[*["check"] * number, "--help"] for number in range(1, 2 * KEPT + 1)]
    for arguments in checks[:2]:
        _render(arguments, "usage\n")
    monkeypatch.setattr(command_record, "LIMIT", len(json.dumps(_kept(record)[:2]).encode()))
    for arguments in checks[2:]:  # (the first of them finds a record over the new limit, not read: it keeps itself)
        _render(arguments, "usage\n")
        assert len(_kept(record)) == (1 if arguments is checks[2] else 2)
        assert record.stat().st_size <= command_record.LIMIT + 65
    assert [_replayed(arguments, capsys) for arguments in checks] == [None] * (2 * KEPT - 2) + ["usage\n"] * 2
