"""A minimal definitions/ to import into (the checks' base project), and what a load of it holds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import load

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests/checks/base"


def base_definitions(directory: Path) -> Path:
    """definitions/ with the base project only (the checks' smallest valid project), under directory."""
    definitions = directory / "definitions"
    shutil.copytree(BASE, definitions, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    return definitions


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a model dump: keys and values, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def loaded_strings(definitions: Path) -> set[str]:
    """Every string the loaded project's objects hold (what a build starts from)."""
    project = load(definitions)
    return {text for obj in project.objects for text in strings_in(obj.model_dump())}


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    return base_definitions(tmp_path)
