"""The disk caches' versions: each distribution's version read as importlib.metadata reads it."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from generator.core import disk_cache


def test_every_installed_distribution_has_importlib_metadatas_version() -> None:
    names = sorted({distribution.metadata["Name"] for distribution in importlib.metadata.distributions()})
    assert len(names) > 10
    assert {name: disk_cache._listed_version(name) for name in names} == \
        {name: importlib.metadata.version(name) for name in names}
    assert disk_cache.package_version("promql-parser") == importlib.metadata.version("promql-parser")


def test_what_it_does_not_read_is_left_to_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Some.Thing-1.0.egg-info").mkdir(parents=True)  # an egg's, ahead on the path
    (second / "some_thing-2.0.dist-info").mkdir(parents=True)
    (second / "some_thing-2.0.dist-info" / "METADATA").write_text("Name: some-thing\nVersion: 2.0\n\nbody\n")
    monkeypatch.setattr("sys.path", [str(tmp_path / "missing"), str(first), str(second)])
    assert disk_cache._listed_version("some-thing") is None
    monkeypatch.setattr("sys.path", [str(tmp_path / "missing"), str(second)])
    assert disk_cache._listed_version("Some_Thing") == "2.0"
    assert disk_cache._listed_version("other") is None
