"""Fixtures shared by the Grafana tests: the shipped dashboards compiled once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.model.project import Project
from generator.targets import grafana

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


@pytest.fixture(scope="session")
def compiled(project: Project) -> dict[str, dict[str, Any]]:
    """Every generated dashboard document by path."""
    return grafana.render(project)
