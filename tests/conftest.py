"""Shared fixtures: the shipped definitions loaded once, and built once into a temporary out/.

Real servers (prometheus, alertmanager, node-exporter, promtool) are started through tests/servers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build, load
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = ROOT / "definitions"


@pytest.fixture(scope="session")
def project() -> Project:
    """The shipped definitions/ as a checked Project."""
    return load(DEFINITIONS)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ freshly built from the shipped definitions into a temporary directory."""
    out = tmp_path_factory.mktemp("build") / "out"
    build(DEFINITIONS, out)
    return out
