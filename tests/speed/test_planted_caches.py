"""Caches a project holds (definitions/__pycache__, as writable as definitions/: a pull request can commit files
there) are trusted only when sealed by this user's key (core/seal_key.py), which lives outside any project: a
cache planted with a seal anyone can compute (a SHA-256, a .pyc's source hash) is not used, and a key file another
user could have written or replaced is no key. Without a key, caches only cost time."""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from generator.core import secret_scan
from generator.core.seal_key import seal_key
from generator.core.sealed_file import read_sealed, write_sealed
from generator.load.modules import compiled

SECRET = 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n'


def _plant(path: Path, payload: bytes) -> None:
    """A file sealed as anyone can seal it: the SHA-256 of its payload."""
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


@pytest.fixture
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache home of this test's own (a key made afresh there), returned as the key's path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    return tmp_path / "cache-home/obsgen/seal.key"


def test_a_planted_pyc_with_the_sources_hash_does_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    module = tmp_path / "alerts.py"
    module.write_text("VALUE = 'reviewed'\n")
    source = module.read_bytes()
    planted = marshal.dumps(compile("VALUE = 'planted'\n", str(module), "exec", dont_inherit=True))
    # where a commit puts it: the tree's __pycache__ (make's venv reads its own, sys.pycache_prefix, instead)
    pyc = module.parent / "__pycache__" / Path(importlib.util.cache_from_source(str(module))).name
    pyc.parent.mkdir()
    # PEP 552: checked against the source's hash, which anyone can compute from the reviewed source
    pyc.write_bytes(importlib.util.MAGIC_NUMBER + (0b11).to_bytes(4, "little") + importlib.util.source_hash(source)
                    + planted)
    _plant(pyc.with_name(f"alerts.{sys.implementation.cache_tag}.obsgen-code"),
           importlib.util.MAGIC_NUMBER + importlib.util.source_hash(source) + planted)
    namespace: dict[str, object] = {}
    exec(compiled(module), namespace)
    assert namespace["VALUE"] == "reviewed"


def test_a_forged_secrets_cache_entry_does_not_hide_a_secret(tmp_path: Path) -> None:
    assert secret_scan.find(SECRET)  # (what the cache would hide)
    version = secret_scan.cache_version()
    key = f"11:{hashlib.sha256(SECRET.encode()).hexdigest()}"
    _plant(tmp_path / "__pycache__/obsgen-secrets.cache",
           orjson.dumps({"version": version, "entries": {key: True}}))
    with secret_scan.clean_cached(tmp_path):
        found = secret_scan.find(SECRET)
    assert found, "a planted cache marked the secret-bearing text clean"


@pytest.mark.parametrize("spoil", ["group-readable", "world-writable", "a link", "another owner"])
def test_a_key_another_user_could_have_written_is_not_used(tmp_path: Path, own_key: Path, spoil: str) -> None:
    sealed = tmp_path / "__pycache__/obsgen-kind.cache"
    assert write_sealed(sealed, b"payload") and read_sealed(sealed) == b"payload"  # (a key made and used)
    spoiled = tmp_path / "cache-home-2/obsgen/seal.key"  # the same key, at a new path: read afresh
    spoiled.parent.mkdir(parents=True)
    spoiled.write_bytes(own_key.read_bytes())
    spoiled.chmod(0o600)
    if spoil == "group-readable":
        spoiled.chmod(0o640)
    elif spoil == "world-writable":
        spoiled.chmod(0o602)
    elif spoil == "a link":
        spoiled.unlink()
        spoiled.symlink_to(own_key)
    else:
        if os.getuid() != 0:
            pytest.skip("only root can give a file to another user")
        os.chown(spoiled, 12345, -1)
    os.environ["XDG_CACHE_HOME"] = str(spoiled.parent.parent)  # (the fixture's monkeypatch restores it)
    assert read_sealed(sealed) is None
    assert not write_sealed(tmp_path / "__pycache__/obsgen-other.cache", b"payload")
    assert spoiled.read_bytes() == own_key.read_bytes()  # (left as found)


def test_the_key_is_made_owner_only(tmp_path: Path, own_key: Path) -> None:
    assert write_sealed(tmp_path / "__pycache__/obsgen-kind.cache", b"payload")
    status = own_key.lstat()
    assert (oct(status.st_mode & 0o777), status.st_size, status.st_uid) == ("0o600", 32, os.getuid())
    assert oct(own_key.parent.stat().st_mode & 0o777) == "0o700"


def test_without_a_usable_cache_home_caches_only_cost_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))  # no directory can be made under it
    sealed = tmp_path / "__pycache__/obsgen-kind.cache"
    assert not write_sealed(sealed, b"payload")
    assert not sealed.exists() and read_sealed(sealed) is None
    module = tmp_path / "alerts.py"
    module.write_text("VALUE = 7\n")
    for _ in range(2):  # compiled each time, from the source
        namespace: dict[str, object] = {}
        exec(compiled(module), namespace)
        assert namespace["VALUE"] == 7
    assert secret_scan.find(SECRET)


def test_a_link_planted_at_a_writers_temporary_name_is_not_written_through(tmp_path: Path) -> None:
    """A writer's temporary file is named by its pid, which a CI container's fresh process table makes easy to
    guess: a link committed under that name must not carry the cache's bytes onto the file it points at."""
    victim = tmp_path / "victim"
    victim.write_text("the user's own file\n")
    cache = tmp_path / "definitions/__pycache__/obsgen-build.record"
    cache.parent.mkdir(parents=True)
    cache.with_name(f"{cache.name}.{os.getpid()}").symlink_to(victim)
    assert write_sealed(cache, b"payload")
    assert victim.read_text() == "the user's own file\n"
    assert not cache.is_symlink() and read_sealed(cache) == b"payload"


def test_a_key_another_process_links_while_this_one_looks_is_used(own_key: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two first processes (xdist workers' builds in a fresh cache home): one finds no key, the other links its own
    in place before the first checks whether anything is there. The first must use that key, not go without one
    (a build without a key writes no record: the next is a full build again)."""
    theirs = os.urandom(32)
    lexists = os.path.lexists

    def linked_meanwhile(path: str) -> bool:
        if path == str(own_key) and not lexists(path):  # the other process wins the race here
            own_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(own_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(descriptor, theirs)
            os.close(descriptor)
        return lexists(path)

    monkeypatch.setattr(os.path, "lexists", linked_meanwhile)
    assert seal_key() == theirs


@pytest.mark.parametrize("planted", [False, True], ids=["none there", "one committed there"])
def test_no_key_is_made_or_used_inside_a_git_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], planted: bool) -> None:
    # XDG_CACHE_HOME=$PWD/.cache (a CI job's cache directory): the key was made there, to be committed, and one a
    # commit put there (checked out owner-only, under umask 077) sealed whatever its author wrote
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True, timeout=60)
    monkeypatch.setenv("XDG_CACHE_HOME", str(checkout / ".cache"))
    key = checkout / ".cache/obsgen/seal.key"
    if planted:
        key.parent.mkdir(parents=True)
        key.write_bytes(b"k" * 32)
        key.chmod(0o600)
    assert seal_key() is None
    assert not write_sealed(tmp_path / "__pycache__/obsgen-kind.cache", b"payload")
    assert key.exists() == planted
    assert f"inside the git work tree {checkout}" in capsys.readouterr().err
