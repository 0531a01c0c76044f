"""Definitions modules run from a bytecode cache keyed by their source's hash, never from a stale one."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from generator.load.modules import compiled


def _value(path: Path) -> object:
    namespace: dict[str, object] = {}
    exec(compiled(path), namespace)
    return namespace["VALUE"]


def test_a_same_size_edit_with_the_same_mtime_runs_the_new_code(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    module = tmp_path / "alerts.py"
    module.write_text("VALUE = 1\n")
    stamp = module.stat()
    assert _value(module) == 1
    assert list((tmp_path / "__pycache__").iterdir())  # the cache was written
    module.write_text("VALUE = 2\n")
    os.utime(module, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # what mtime-and-size checks cannot tell apart
    assert _value(module) == 2


def test_a_corrupt_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    module = tmp_path / "alerts.py"
    module.write_text("VALUE = 3\n")
    assert _value(module) == 3
    for cached in (tmp_path / "__pycache__").iterdir():
        cached.write_bytes(cached.read_bytes()[:20] + b"garbage")
    assert _value(module) == 3


def test_a_cache_copied_with_its_folder_is_not_read_as_the_new_place(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "alerts.py").write_text("VALUE = 1\n")
    compiled(tmp_path / "a" / "alerts.py")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert compiled(tmp_path / "b" / "alerts.py").co_filename == str(tmp_path / "b" / "alerts.py")
