"""The build's record and caches in definitions/__pycache__ are files anyone who can write the definitions can
plant: one that is not a regular file (a FIFO, which open() waits on forever), a record sealed as anyone can seal
it (a plain SHA-256), or even one sealed again with this user's key around a path outside out/ only costs a full
build, never a hang or a traceback, and nothing is written outside out/."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from generator.core import disk_cache
from generator.core.seal_key import seal
from generator.scaffold import create
from tests.speed.project import recorded

SECONDS = 60
"""Far beyond a build of the scaffold (about a second): a build still running then waits on a FIFO."""


def _build(project: Path) -> subprocess.CompletedProcess[str]:
    """`obsgen build` of the project, with bytecode (and so the record and caches) written and read."""
    environment = {key: value for key, value in os.environ.items()  # (pytest's names the step: no replay)
                   if key not in ("PYTHONDONTWRITEBYTECODE", "PYTEST_CURRENT_TEST")}
    return subprocess.run([sys.executable, "-m", "generator", "build", "--quiet"], capture_output=True, text=True,
                          env=environment, cwd=project, timeout=SECONDS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The scaffold's project, built once: its record and caches written."""
    found = tmp_path / "project"
    create(found, "team")
    done = _build(found)
    assert done.returncode == 0, done.stderr
    recorded(found / "definitions")
    return found


def _index(data: bytes) -> tuple[dict[str, Any], int]:
    """A record's index (the line after its seal) and where the files it lists start."""
    digest_end = data.find(b"\n")
    index_end = data.find(b"\n", digest_end + 1)
    return orjson.loads(data[digest_end + 1:index_end]), index_end + 1


def _reseal(record: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """The record with its index changed, sealed again with this user's key."""
    data = record.read_bytes()
    index, files = _index(data)
    change(index)
    body = orjson.dumps(index) + b"\n"
    record.write_bytes((seal(body) or b"") + b"\n" + body + data[files:])


def test_a_record_forged_with_a_plain_sha256_seal_is_not_replayed(project: Path) -> None:
    record = project / "definitions/__pycache__/obsgen-build.record"
    data = record.read_bytes()
    index, offset = _index(data)
    forged = b"# planted: bytes no build of these definitions wrote, unscanned\n"
    files = []
    for path, length, _ in index["files"]:  # every file kept as recorded, prometheus.yml replaced
        content = forged if path == "prometheus/prometheus.yml" else data[offset:offset + length]
        files.append(content)
        offset += length
    index["files"] = [[path, len(content), hashlib.sha256(content).hexdigest()]
                      for (path, _, _), content in zip(index["files"], files, strict=True)]
    body = orjson.dumps(index) + b"\n"
    record.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body + b"".join(files))
    done = _build(project)
    assert (done.returncode, done.stderr) == (0, "")
    assert (project / "out/prometheus/prometheus.yml").read_bytes() != forged
    assert record.read_bytes()[:64] != hashlib.sha256(body).hexdigest().encode()  # a full build recorded again


def test_a_build_of_an_unchanged_project_is_replayed(project: Path) -> None:
    """(What the tests below rely on: their record is read and replayed unless they change it.)"""
    record = project / "definitions/__pycache__/obsgen-build.record"
    written = record.stat().st_mtime_ns
    os.utime(project / "out/prometheus/prometheus.yml", ns=(0, 0))  # a full build rewrites the record; a replay not
    assert _build(project).returncode == 0
    assert record.stat().st_mtime_ns == written


@pytest.mark.parametrize("path", ["../planted.txt", "/planted.txt", "prometheus/../../planted.txt"])
def test_a_record_naming_a_path_outside_out_is_a_full_build(project: Path, path: str) -> None:
    _reseal(project / "definitions/__pycache__/obsgen-build.record",
            lambda index: index["files"][0].__setitem__(0, path))
    done = _build(project)
    assert (done.returncode, done.stderr) == (0, "")
    assert not (project / "planted.txt").exists() and (project / "out/prometheus/prometheus.yml").is_file()


@pytest.mark.parametrize("name", ["obsgen-build.record", "obsgen-promql.cache",
                                  f"stack.{sys.implementation.cache_tag}.obsgen-code"])
def test_a_fifo_in_place_of_a_record_or_cache_is_passed_over(project: Path, name: str) -> None:
    planted = project / "definitions/__pycache__" / name
    planted.unlink(missing_ok=True)
    os.mkfifo(planted)
    (project / "definitions/stack.py").write_text((project / "definitions/stack.py").read_text() + "\n")
    done = _build(project)  # the old tree waited on the FIFO until killed here
    assert (done.returncode, done.stderr) == (0, "")


def test_a_record_naming_a_fifo_as_an_input_that_changed_is_a_full_build(project: Path) -> None:
    fifo = project / "input.fifo"
    os.mkfifo(fifo)
    # its size as recorded (0), another mtime: the recorded digest is compared, which reads the file
    _reseal(project / "definitions/__pycache__/obsgen-build.record",
            lambda index: index["reads"][0].__setitem__(str(fifo), [0, 1, fifo.stat().st_ino, "0" * 64]))
    done = _build(project)  # the old tree waited on the FIFO until killed here
    assert (done.returncode, done.stderr) == (0, "")


def test_a_cache_file_past_the_bound_is_not_read_into_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_cache, "LIMIT", 2**20, raising=False)  # (the old tree had no bound to lower)
    planted = tmp_path / "__pycache__/obsgen-promql.cache"
    planted.parent.mkdir()
    with open(planted, "wb") as file:
        file.truncate(16 * 2**20)  # sparse: no disk used, 16 MiB of zeros read
    tracemalloc.start()
    try:
        cache = disk_cache.DiskCache(tmp_path, "promql", "1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert cache.get("anything") is None
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MiB read"
