"""Fixtures of the traces-and-logs tests: the shipped definitions, loaded and compiled once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build, load
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "definitions"


@pytest.fixture(scope="session")
def project() -> Project:
    """The shipped example project."""
    return load(DEFINITIONS)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ freshly built from the shipped definitions."""
    out = tmp_path_factory.mktemp("build") / "out"
    build(DEFINITIONS, out)
    return out


def read_yaml(path: Path) -> Any:
    """A generated YAML file's document."""
    return yaml.safe_load(path.read_text())
