"""A watching build reads back from out/ only the files changed since it wrote them (by hand, a checkout, or its own
write too recent for a file's status to tell), and still leaves out/ byte for byte as a full build after any series
of edits, hand-edited and hand-deleted files of out/ among them. Reads are counted by Python's audit hook on every
open of a file, whichever function opens it."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

from generator.package import emit
from generator.replay import build
from tests.speed.test_watch_renders import Project, _changed, _files

RULES = "prometheus/rules/alerts.yml"
HOSTS_0 = "grafana/dashboards/General/hosts-0.json"
HOSTS_1_PAGE = "docs/dashboards/hosts-1.md"
PROMETHEUS = "prometheus/prometheus.yml"
ALERTMANAGER = "alertmanager/alertmanager.yml"
SAVES_APART = 0.15
"""Seconds between two saves, as an editor's are: more than a status needs to be trusted on a filesystem keeping
nanoseconds (/tmp's)."""

_reading: list[set[str]] = []  # the open calls are recorded into the last set while a test reads


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not _reading:
        return
    path, mode, flags = args
    if not isinstance(path, str | os.PathLike):
        return
    writes = (isinstance(mode, str) and mode.strip("rbt") != "") or \
        (mode is None and isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR))
    if not writes:
        _reading[-1].add(os.fspath(path))


sys.addaudithook(_audit)  # (a hook cannot be removed: it records nothing outside `reads`)


@pytest.fixture
def reads() -> Iterator[set[str]]:
    """Every path opened for reading while the test runs."""
    _reading.append(set())
    yield _reading[-1]
    _reading.pop()


def _rebuild(project: Project, reads: set[str]) -> tuple[dict[str, bytes], set[str]]:
    """out/ after a watching rebuild, and the files of out/ it read."""
    reads.clear()
    build(project.definitions, project.out, None, project.warm)
    prefix = f"{project.out.resolve()}/"
    read = {path.removeprefix(prefix) for path in reads if path.startswith(prefix)}
    return _files(project.out), read


def _hand_edit(out: Path, relative: str) -> None:
    """Change one byte of a file in place, size and modification time as they were (only its change time says)."""
    path = out / relative
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-2] = ord("#") if data[-2] != ord("#") else ord("%")
    with open(path, "r+b") as file:
        file.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_after_edits_and_hand_changes_out_is_as_a_full_build_leaves_it(tmp_path: Path) -> None:
    project = Project(tmp_path, 4)
    project.rebuild()

    def edited_by_hand_and_edited() -> None:
        _hand_edit(project.out, RULES)
        project.edit("alerts", 'for_="10m"', 'for_="15m"')

    def replaced_by_hand() -> None:
        (project.out / HOSTS_1_PAGE).unlink()
        (project.out / HOSTS_1_PAGE).write_text("mine\n")

    def added_and_folder_deleted() -> None:
        (project.out / "mine.yml").write_text("a: 1\n")
        for path in (project.out / "docs" / "dashboards").iterdir():
            path.unlink()
        (project.out / "docs" / "dashboards").rmdir()

    steps: list[tuple[str, Callable[[], None]]] = [
        ("an alert's for", lambda: project.edit("alerts", 'for_="5m"', 'for_="10m"')),
        ("a file of out/ edited by hand", lambda: _hand_edit(project.out, HOSTS_0)),
        ("a file of out/ deleted by hand", lambda: (project.out / PROMETHEUS).unlink()),
        ("a file of out/ edited by hand that the edit also changes", edited_by_hand_and_edited),
        ("a file of out/ replaced by hand (a new inode)", replaced_by_hand),
        ("a file added to out/ by hand, a folder deleted", added_and_folder_deleted),
        ("an alert's for, back", lambda: project.edit("alerts", 'for_="15m"', 'for_="5m"')),
        ("nothing", lambda: None),
    ]
    for number, (name, step) in enumerate(steps):  # one watch, each step after the ones before
        step()
        files = project.rebuild()
        build(project.definitions, tmp_path / f"full-{number}")
        assert files == _files(tmp_path / f"full-{number}"), name


def test_a_one_alert_rebuild_reads_back_only_what_changed_since_the_watch_wrote_it(
        tmp_path: Path, reads: set[str]) -> None:
    project = Project(tmp_path, 12)
    files = project.rebuild()
    written: list[set[str]] = []  # by each rebuild
    for minutes in (10, 15, 20):  # LoadHigh's for: its rules file, Hosts 0's JSON and ConfigMap
        time.sleep(SAVES_APART)
        project.edit("alerts", f'for_="{minutes - 5}m"', f'for_="{minutes}m"')
        before, (files, read) = files, _rebuild(project, reads)
        written.append(_changed(before, files))
    assert RULES in written[-1] and len(written[-1]) < len(files) // 10
    # the files the last two rebuilds wrote, and linked into the tree kept beside out/ (their change time is
    # after the last write began): a write in the same tick could not be told from theirs
    recent = written[-2] | written[-3]
    assert read <= recent, sorted(read - recent)

    _hand_edit(project.out, ALERTMANAGER)
    (project.out / PROMETHEUS).unlink()
    time.sleep(SAVES_APART)
    project.edit("alerts", 'for_="20m"', 'for_="25m"')
    files, read = _rebuild(project, reads)
    recent = written[-1] | written[-2]
    assert ALERTMANAGER in read and read - {ALERTMANAGER} <= recent, sorted(read - recent)
    build(project.definitions, tmp_path / "full")
    assert files == _files(tmp_path / "full")


def test_a_file_written_too_recently_is_read_back(tmp_path: Path, reads: set[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # a write in the same tick of the filesystem's clock could leave the same status: none is trusted here
    monkeypatch.setattr("generator.core.written_files.RACY_NS", 10**18)
    monkeypatch.setattr("generator.core.written_files.FINE_RACY_NS", 10**18)
    project = Project(tmp_path, 2)
    project.rebuild()
    files, read = _rebuild(project, reads)
    assert read == set(files)


def _bytes_reachable(root: object) -> int:
    """The bytes held by every bytes-like object root reaches (classes, modules and functions not followed)."""
    seen: set[int] = set()
    pending, total = [root], 0
    while pending:
        found = pending.pop()
        if id(found) in seen or isinstance(found, type | ModuleType | FunctionType):
            continue
        seen.add(id(found))
        if isinstance(found, bytes | bytearray | memoryview):
            total += len(found)
        else:
            pending.extend(gc.get_referents(found))
    return total


def test_between_rebuilds_a_watch_keeps_no_bytes_of_out(tmp_path: Path) -> None:
    """What it keeps of each file is a digest and a size: memory stays flat however large out/ grows (a watch of
    100x kube-prometheus held 274 MB), and a hand-edited file is still put back from its document."""
    project = Project(tmp_path, 12)
    files = project.rebuild()
    time.sleep(SAVES_APART)
    project.edit("alerts", 'for_="5m"', 'for_="10m"')
    _hand_edit(project.out, HOSTS_0)
    files = project.rebuild()
    assert sum(map(len, files.values())) > 100_000
    assert _bytes_reachable(project.warm.written) < 1_000
    build(project.definitions, tmp_path / "full")
    assert files == _files(tmp_path / "full")


def test_a_file_written_too_recently_is_compared_by_its_digest_not_serialised_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.core.written_files.RACY_NS", 10**18)
    monkeypatch.setattr("generator.core.written_files.FINE_RACY_NS", 10**18)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # the serialised files' cache is kept as bytecode is
    project = Project(tmp_path, 2)
    project.rebuild()
    made: list[str] = []
    serialise = emit.serialise

    def counted(path: str, *rest: Any) -> bytes:
        made.append(path)
        return serialise(path, *rest)

    monkeypatch.setattr(emit, "serialise", counted)
    project.edit("alerts", 'for_="5m"', 'for_="10m"')
    files = project.rebuild()
    assert RULES in made and len(made) < len(files) // 4, made  # what the edit changed
    build(project.definitions, tmp_path / "full")
    assert files == _files(tmp_path / "full")
