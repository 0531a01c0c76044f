"""Every panel has a title.

Anti-pattern: a panel without a title; nobody can tell what it shows, and links to it read "Panel 7".
Fix: give it a short title saying what is measured, e.g. "Error Rates".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, without

CODE = "GD001"
NAME = "panel-title"


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Panels whose title is missing or blank."""
    for panel in without(dashboard, "title"):
        yield panel, "has no title"
