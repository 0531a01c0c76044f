"""Every panel has a description.

Anti-pattern: a chart with no explanation; the on-call reader guesses what "Saturation" means.
Fix: a description (shown as the panel's info tip) saying what is plotted and when to worry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, without

CODE = "GD002"
NAME = "panel-description"


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Panels whose description is missing or blank."""
    for panel in without(dashboard, "description"):
        yield panel, "has no description"
