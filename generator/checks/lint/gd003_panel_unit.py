"""Every panel showing data has a unit.

Anti-pattern: a latency panel without unit shows 0.25 and readers wonder: seconds? a ratio?
Fix: set fieldConfig.defaults.unit ("s", "percentunit", "reqps", "bytes", "none" for plain counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, panels

CODE = "GD003"
NAME = "panel-unit"


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Panels with queries but no unit."""
    for panel in panels(dashboard):
        if panel.get("targets") and not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            yield panel, "shows data without a unit (fieldConfig.defaults.unit)"
