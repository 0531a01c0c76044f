"""Fixtures of the SLO tests: the shipped definitions, loaded and compiled once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build, load
from generator.model import SLO
from generator.model.project import Project

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


@pytest.fixture(scope="session")
def project() -> Project:
    """The shipped example project."""
    return load(DEFINITIONS)


@pytest.fixture(scope="session")
def slos(project: Project) -> list[SLO]:
    """The shipped SLOs."""
    return project.all(SLO)


@pytest.fixture(scope="session")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ compiled from the shipped definitions into a temporary directory."""
    target = tmp_path_factory.mktemp("slo") / "out"
    build(DEFINITIONS, target)
    return target
