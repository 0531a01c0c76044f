"""Shared fixtures: the shipped definitions, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import load
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> Project:
    """The shipped definitions/ as a checked Project."""
    return load(ROOT / "definitions")
