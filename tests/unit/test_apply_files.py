"""Where a server's files live: a directory, or a remote reached by the user's pull and push commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.apply.files import Change, CommandError, CommandStore, DirectoryStore, collect
from generator.apply.http import Credentials

PATTERNS = ("prometheus.yml", "rules/*.yml")


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_replacing_a_directory_deletes_stale_managed_files_and_keeps_the_rest(tmp_path: Path) -> None:
    etc = _tree(tmp_path / "etc", {"prometheus.yml": "old", "rules/gone.yml": "x", "rules/keep.yml": "1",
                                   "console_libraries/menu.lib": "not obsgen's", "rules/notes.txt": "mine"})
    DirectoryStore(etc).replace({"prometheus.yml": b"new", "rules/keep.yml": b"2"}, PATTERNS)
    assert collect(etc, PATTERNS) == {"prometheus.yml": b"new", "rules/keep.yml": b"2"}
    assert (etc / "console_libraries/menu.lib").read_text() == "not obsgen's"
    assert (etc / "rules/notes.txt").read_text() == "mine"
    assert oct((etc / "rules/keep.yml").stat().st_mode & 0o777) == "0o644"


def test_a_directory_emptied_of_managed_files_is_removed(tmp_path: Path) -> None:
    etc = _tree(tmp_path / "etc", {"prometheus.yml": "a", "rules/only.yml": "b"})
    DirectoryStore(etc).replace({"prometheus.yml": b"a"}, PATTERNS)
    assert sorted(p.name for p in etc.iterdir()) == ["prometheus.yml"]


def test_a_command_store_reads_and_writes_through_the_users_commands(tmp_path: Path) -> None:
    remote = _tree(tmp_path / "remote", {"prometheus.yml": "old", "rules/a.yml": "a"})
    store = CommandStore(pull=f"cp -R {remote}/. {{dir}}/", push=f"rm -rf {remote}/rules && cp -R {{dir}}/. {remote}/")
    assert store.read(PATTERNS) == {"prometheus.yml": b"old", "rules/a.yml": b"a"}
    store.replace({"prometheus.yml": b"new", "rules/b.yml": b"b"}, PATTERNS)
    assert collect(remote, PATTERNS) == {"prometheus.yml": b"new", "rules/b.yml": b"b"}


def test_a_failing_command_says_which_and_why(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"`cp -R /nowhere/\. .*` exited with 1: cp: cannot stat"):
        CommandStore(pull="cp -R /nowhere/. {dir}/", push="true").read(PATTERNS)


def test_change_lists_added_changed_and_removed_files() -> None:
    change = Change.between({"a": b"1", "b": b"1", "c": b"1"}, {"a": b"1", "b": b"2", "d": b"1"})
    assert change.summary() == "added d; changed b; removed c"
    assert not Change.between({"a": b"1"}, {"a": b"1"})


def test_credentials_come_from_the_token_file_first_then_the_environment(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", "from-env")
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    assert Credentials.load("GRAFANA", token_file).token == "from-file"
    assert Credentials.load("GRAFANA").token == "from-env"
    monkeypatch.delenv("GRAFANA_TOKEN")
    monkeypatch.setenv("GRAFANA_USER", "admin")
    monkeypatch.setenv("GRAFANA_PASSWORD", "s3cret")
    basic = Credentials.load("GRAFANA")
    assert (basic.user, basic.password) == ("admin", "s3cret") and "s3cret" not in repr(basic)
    with pytest.raises(ValueError, match="cannot read grafana token file"):
        Credentials.load("GRAFANA", tmp_path / "missing")
