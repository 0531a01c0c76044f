"""Compiled templates are cached across builds, and a cache that cannot be written never fails a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model.project import Project
from generator.targets import docs, templating


def test_an_unwritable_cache_directory_only_costs_a_recompile(tmp_path: Path, project: Project,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    expected = docs.render(project)
    not_a_directory = tmp_path / "cache"
    not_a_directory.write_text("")  # unwritable even for root, unlike a read-only directory
    cache = templating._BestEffortCache(str(not_a_directory))
    monkeypatch.setattr(templating, "_cache", lambda: cache)
    monkeypatch.setattr(docs, "JINJA", templating.environment())
    assert docs.render(project) == expected
    assert not_a_directory.read_text() == ""


def test_a_second_environment_loads_the_compiled_template_from_the_cache(tmp_path: Path, project: Project,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    cache = templating._BestEffortCache(str(tmp_path))
    monkeypatch.setattr(templating, "_cache", lambda: cache)
    first = templating.environment().get_template("runbook.md.j2")
    assert len(list(tmp_path.iterdir())) == 1
    monkeypatch.setattr(cache, "dump_bytecode", lambda bucket: pytest.fail("compiled again"))
    second = templating.environment().get_template("runbook.md.j2")
    assert second is not first
