"""Helpers of the traces-and-logs tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "definitions"


def read_yaml(path: Path) -> Any:
    """A generated YAML file's document."""
    return yaml.safe_load(path.read_text())
