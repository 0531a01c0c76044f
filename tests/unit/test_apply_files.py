"""Where a server's files live: a directory, or a remote reached by the user's pull and push commands."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from generator.apply import files, prometheus, reload
from generator.apply.files import Change, CommandError, CommandStore, DirectoryStore, OutFileError, collect, collect_out
from generator.apply.http import Api, Connection, Credentials, Unreachable
from generator.apply.outcome import Action

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


def _owner(path: Path) -> tuple[int, int, str]:
    status = path.stat()
    return status.st_uid, status.st_gid, oct(status.st_mode & 0o7777)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file another owner needs root")
def test_replaced_and_new_files_keep_the_owner_group_and_mode_the_server_reads_them_with(tmp_path: Path) -> None:
    # the recommended setup: root:prometheus 0640, the server runs as prometheus and reads through the group
    etc = _tree(tmp_path / "etc", {"prometheus.yml": "old", "rules/a.yml": "a"})
    for path, (uid, gid, mode) in {etc: (0, 65534, 0o750), etc / "prometheus.yml": (0, 65534, 0o640),
                                   etc / "rules/a.yml": (65534, 65534, 0o604)}.items():
        os.chown(path, uid, gid)
        os.chmod(path, mode)
    DirectoryStore(etc).replace({"prometheus.yml": b"new", "rules/a.yml": b"b", "more/c.yml": b"c"},
                                ("prometheus.yml", "rules/*.yml", "more/*.yml"))
    assert (etc / "prometheus.yml").read_bytes() == b"new"
    assert _owner(etc / "prometheus.yml") == (0, 65534, "0o640")
    assert _owner(etc / "rules/a.yml") == (65534, 65534, "0o604")
    assert _owner(etc / "more/c.yml") == (0, 65534, "0o640")  # a new file: as the main configuration file
    assert _owner(etc / "more") == (0, 65534, "0o750")  # a new directory: as the configuration directory


@pytest.fixture
def another_owner(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Files named a.yml belong to another user, whom chown refuses to give a file to (as for a user not root)."""
    calls: list[tuple[str, int, int]] = []

    def refused(path: str, uid: int, gid: int) -> None:
        calls.append((path, uid, gid))
        raise PermissionError(1, "Operation not permitted")

    real = files.Attributes.of
    monkeypatch.setattr(files.Attributes, "of", lambda path: files.Attributes(path.stat().st_uid + 1,
                                                                              path.stat().st_gid, 0o640)
                        if path.name == "a.yml" else real(path))
    monkeypatch.setattr(os, "chown", refused)
    return calls


def test_a_file_whose_owner_cannot_be_kept_is_not_replaced_and_says_why(
        tmp_path: Path, another_owner: list[tuple[str, int, int]]) -> None:
    etc = _tree(tmp_path / "etc", {"prometheus.yml": "old", "rules/a.yml": "a"})
    status = (etc / "rules/a.yml").stat()
    with pytest.raises(files.OwnerKept, match=r"rules/a.yml belongs to .* and obsgen runs as .*: it would change "
                                              r"the file's owner"):
        DirectoryStore(etc).replace({"prometheus.yml": b"new", "rules/a.yml": b"b"}, PATTERNS)
    assert another_owner and another_owner[0][1:] == (status.st_uid + 1, status.st_gid)
    assert collect(etc, PATTERNS) == {"prometheus.yml": b"old", "rules/a.yml": b"a"}  # neither file replaced
    assert sorted(p.name for p in etc.rglob("*")) == ["a.yml", "prometheus.yml", "rules"]  # no staged file left


def test_apply_reports_a_kept_owner_as_nothing_copied_not_as_a_failed_restore(
        tmp_path: Path, another_owner: list[tuple[str, int, int]]) -> None:
    etc = _tree(tmp_path / "etc", {"prometheus.yml": "old", "rules/a.yml": "a"})
    unused = Api(Connection("prometheus", "http://127.0.0.1:1", retries=0))  # nothing is reloaded
    prepared = reload.Prepared({"prometheus.yml": b"new", "rules/a.yml": b"b"})
    outcome = reload.install(prometheus.SERVER, tmp_path, prepared, DirectoryStore(etc), unused, dry_run=False)
    assert outcome.action == Action.FAILED
    assert outcome.detail.startswith(f"nothing copied, not reloaded: {etc / 'rules/a.yml'} belongs to ")
    assert collect(etc, PATTERNS) == {"prometheus.yml": b"old", "rules/a.yml": b"a"}


def test_out_is_read_as_regular_files_only(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("slack_token=xoxb-SECRET")
    out = _tree(tmp_path / "out", {"alertmanager.yml": "route: {}", "templates/a.tmpl": "x"})
    (out / "templates/leak.tmpl").symlink_to(secret)
    with pytest.raises(OutFileError, match=r"templates/leak.tmpl is a symbolic link \(to .*secret.txt\)"):
        collect_out(out, ("alertmanager.yml", "templates/*.tmpl"))
    (out / "templates/leak.tmpl").unlink()
    (tmp_path / "elsewhere").mkdir()
    (out / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere/b.tmpl").write_text("y")
    with pytest.raises(OutFileError, match=r"linked is a symbolic link"):
        collect_out(out, ("alertmanager.yml", "linked/*.tmpl"))
    assert collect_out(out, ("alertmanager.yml", "templates/*.tmpl")) == {"alertmanager.yml": b"route: {}",
                                                                         "templates/a.tmpl": b"x"}


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


def test_a_server_that_takes_the_connection_but_never_answers_is_named_as_such() -> None:
    with socket.socket() as listening:  # accepts (the kernel's backlog) and never answers
        listening.bind(("127.0.0.1", 0))
        listening.listen(4)
        url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        with pytest.raises(Unreachable) as raised:
            Api(Connection("prometheus", url, timeout=0.2, retries=1)).get("/metrics")
    assert str(raised.value) == f"prometheus at {url} took the connection but did not answer within 0.2 s (2 attempts)"
    with pytest.raises(Unreachable, match=r"^cannot reach prometheus at http://127\.0\.0\.1:1: ConnectionError$"):
        Api(Connection("prometheus", "http://127.0.0.1:1", timeout=0.2, retries=0)).get("/metrics")



def test_a_password_in_a_command_or_url_is_never_in_a_message() -> None:
    store = CommandStore(pull="true", push="curl -T {dir} https://deploy:pa55word@host.example/etc/")
    assert store.describe() == "`curl -T {dir} https://***@host.example/etc/`"
    failed = CommandError("`curl -T /tmp/x https://deploy:pa55word@host.example/etc/` exited with 7: refused")
    assert reload.error_line(failed) == "`curl -T /tmp/x https://***@host.example/etc/` exited with 7: refused"
    assert Api(Connection("grafana", "http://admin:s3cret@127.0.0.1:3000/")).url == "http://***@127.0.0.1:3000"
