"""Fixtures of the SLO tests: the shipped definitions, loaded and compiled once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import SLO, Metric
from generator.model.project import Project

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


@pytest.fixture(scope="session")
def slos(project: Project) -> list[SLO]:
    """The shipped SLOs."""
    return project.all(SLO)


@pytest.fixture(scope="session")
def families(project: Project) -> dict[str, Metric]:
    """Series name -> the shipped Metric declaring it, as the loader hands the SLOs' expansion."""
    return {name: metric for metric in project.metrics.values() for name in metric.series_names()}


@pytest.fixture(scope="session")
def out(built: Path) -> Path:
    """out/ compiled from the shipped definitions."""
    return built
