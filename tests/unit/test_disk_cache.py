"""The disk caches' versions: each distribution's version read as importlib.metadata reads it."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from generator.core import disk_cache


def test_every_installed_distribution_has_importlib_metadatas_version() -> None:
    names = sorted({distribution.metadata["Name"] for distribution in importlib.metadata.distributions()})
    assert len(names) > 10
    expected = {name: importlib.metadata.version(name) for name in names}
    assert {name: disk_cache.package_version.__wrapped__(name) for name in names} == expected
    # Read by hand wherever a .dist-info is what importlib.metadata finds first; an .egg-info ahead of it (an
    # editable install run from its checkout, as `make build` leaves obsgen.egg-info) is importlib.metadata's.
    listed = {name: disk_cache._listed_version(name) for name in names}
    assert {name: version for name, version in listed.items() if version is not None} == \
        {name: expected[name] for name, version in listed.items() if version is not None}
    assert listed["pydantic"] == expected["pydantic"] and listed["promql-parser"] == expected["promql-parser"]


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


def test_an_egg_on_the_path_and_a_version_with_trailing_blanks_read_as_importlib_metadata_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    egg = tmp_path / "some_thing-1.0-py3.11.egg"  # an egg directory on the path: its EGG-INFO is found first
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: some-thing\nVersion: 1.0\n")
    (tmp_path / "site" / "some_thing-2.0.dist-info").mkdir(parents=True)
    (tmp_path / "site" / "some_thing-2.0.dist-info" / "METADATA").write_text("Name: some-thing\nVersion: 2.0\n")
    (tmp_path / "site" / "other-3.0.dist-info").mkdir()
    (tmp_path / "site" / "other-3.0.dist-info" / "METADATA").write_text("Name: other\nVersion:\t3.0 \n\nbody\n")
    (tmp_path / "site" / "folded-4.0.dist-info").mkdir()
    (tmp_path / "site" / "folded-4.0.dist-info" / "METADATA").write_text("Name: folded\nVersion: 4.0\n .1\n")
    monkeypatch.setattr("sys.path", [str(egg), str(tmp_path / "site")])
    expected = {name: importlib.metadata.version(name) for name in ("some-thing", "other", "folded")}
    assert expected["some-thing"] == "1.0" and expected["other"] == "3.0 " and expected["folded"].endswith(".1")
    assert {name: disk_cache.package_version.__wrapped__(name) for name in expected} == expected
    monkeypatch.setattr("sys.path", [tmp_path, str(tmp_path / "site")])  # (a Path on it, as importlib.metadata takes)
    assert disk_cache.package_version.__wrapped__("other") == importlib.metadata.version("other") == "3.0 "


def test_a_finder_of_distributions_ahead_of_the_paths_is_asked_as_importlib_metadata_asks_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for version in ("1.0", "2.0"):
        (tmp_path / version / f"some_thing-{version}.dist-info").mkdir(parents=True)
        (tmp_path / version / f"some_thing-{version}.dist-info" / "METADATA").write_text(f"Version: {version}\n")

    class Finder:
        @staticmethod
        def find_distributions(context: importlib.metadata.DistributionFinder.Context) -> list[
                importlib.metadata.Distribution]:
            found = tmp_path / "1.0" / "some_thing-1.0.dist-info"
            return [importlib.metadata.PathDistribution(found)] if context.name == "some-thing" else []

    monkeypatch.setattr("sys.path", [str(tmp_path / "2.0")])
    monkeypatch.setattr("sys.meta_path", [Finder(), *sys.meta_path])
    assert importlib.metadata.version("some-thing") == "1.0"
    assert disk_cache.package_version.__wrapped__("some-thing") == "1.0"
