"""Fixtures of the SLO tests: the shipped definitions, loaded and compiled once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import SLO
from generator.model.project import Project

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


@pytest.fixture(scope="session")
def slos(project: Project) -> list[SLO]:
    """The shipped SLOs."""
    return project.all(SLO)


@pytest.fixture(scope="session")
def out(built: Path) -> Path:
    """out/ compiled from the shipped definitions."""
    return built
