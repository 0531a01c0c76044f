"""A full build reads its record and out/ once: each file's bytes are hashed at most once (when serialised, or
checked before they are reused) and never again as a whole to read or to save the record."""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator import replay
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

