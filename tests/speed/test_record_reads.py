"""A full build reads its record and out/ once: each file's bytes are hashed at most once (when serialised, or
checked before they are reused) and never again as a whole to read or to save the record; a file of out/ read to be
reused is not read again to be compared, unless its status changed since."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator import replay
from generator.build import build_files
from generator.core.written_files import Known, held_status, still_held
from generator.package import tree
from generator.package.tree import write_tree
from tests.speed.project import node_exporter_project


@pytest.fixture
def definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # the record is written as bytecode is
    return node_exporter_project(tmp_path, kubernetes=True)


def _edit(definitions: Path) -> None:
    """One alert's `for` changed, as a user's edit: a full build, whose other files are reused."""
    module = next(definitions.glob("*rule*.py"))
    edited = re.sub(r'for_="(\d+)m"', lambda found: f'for_="{int(found[1]) + 1}m"', module.read_text(), count=1)
    module.write_text(edited)


def _hashed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What every SHA-256 taken from now on was taken of."""
    taken: list[bytes] = []
    real = hashlib.sha256

    def counted(data: Any = b"", **options: Any) -> Any:
        taken.append(bytes(data))
        return real(data, **options)

    monkeypatch.setattr(hashlib, "sha256", counted)
    return taken


def test_a_full_build_into_a_new_out_hashes_each_file_once_and_never_the_whole_record(
        definitions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = definitions.parent / "out"
    replay.build(definitions, out)
    _edit(definitions)
    shutil.rmtree(out)  # a new checkout's out/: the unchanged files come from the record
    hashed = _hashed(monkeypatch)
    built = replay.build(definitions, out)
    files = {path: bytes(data) for path, data in built.files.items()}
    assert built.written.written == sorted(files)
    largest = max(files.values(), key=len)
    assert not [data for data in hashed if largest in data and len(data) > len(largest)]  # nor the record's files
    counts = Counter(data for data in hashed if data in set(files.values()))
    assert set(counts.values()) == {1}
    record = replay.recorded(definitions)
    assert record is not None and {path: bytes(data) for path, data in record.files.items()} == files
    assert record.digests == {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def _reads(monkeypatch: pytest.MonkeyPatch, out: Path) -> Counter[str]:
    """How many times each file of out/ is read from now on (reused, or compared by the write)."""
    out_root = out.resolve()
    counts: Counter[str] = Counter()
    real = tree.read_regular_status

    def counted(path: Path, size: int | None = None) -> tuple[bytes, os.stat_result] | None:
        counts[str(path.resolve().relative_to(out_root))] += 1
        return real(path, size)

    monkeypatch.setattr(tree, "read_regular_status", counted)
    return counts


def test_a_full_build_into_a_kept_out_reads_each_file_of_it_once(definitions: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = definitions.parent / "out"
    replay.build(definitions, out)
    _edit(definitions)
    time.sleep(0.2)  # out/'s files older than the margin a status is trusted after (written_files.FINE_RACY_NS)
    reads = _reads(monkeypatch, out)
    built = replay.build(definitions, out)
    assert built.written.written and built.written.unchanged
    assert {name: count for name, count in reads.items() if count != 1} == {}
    assert {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()} == set(reads)
    assert {path: (out / path).read_bytes() for path in built.files} == {
        path: bytes(data) for path, data in built.files.items()}


def test_a_file_of_out_changed_after_the_build_read_it_is_read_again_and_written(definitions: Path) -> None:
    out = definitions.parent / "out"
    replay.build(definitions, out)
    _edit(definitions)
    time.sleep(0.2)
    known: dict[str, Known] = {}
    _, files = build_files(definitions, out, known=known)
    held = sorted(path for path, what in known.items() if what.held is not None)
    assert held  # read from out/ and reused
    changed = out / held[0]
    changed.write_bytes(changed.read_bytes()[::-1])  # the same size, changed since it was read
    report = write_tree(files, out, known=known)
    assert held[0] in report.written and changed.read_bytes() == bytes(files[held[0]])


def test_a_file_changed_within_the_margin_before_it_was_read_is_not_trusted(tmp_path: Path) -> None:
    recent = tmp_path / "recent.yml"
    recent.write_bytes(b"a: 1\n")
    assert held_status(os.lstat(recent), time.time_ns()) is None  # a write in the same tick: the same status
    time.sleep(0.2)
    held = held_status(os.lstat(recent), time.time_ns())
    assert held is not None and still_held(recent, held)
    recent.write_bytes(b"a: 2\n")
    assert not still_held(recent, held)
