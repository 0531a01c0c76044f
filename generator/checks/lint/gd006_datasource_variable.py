"""Queries use the dashboard's data source variable.

Anti-pattern: a panel pinned to one data source uid (or none); the dashboard cannot be pointed at
another Prometheus (staging, a second region) without editing every panel.
Fix: a `datasource` template variable, and `{"type": "prometheus", "uid": "${datasource}"}` on
each panel and target.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.checks.lint.dashboard_json import LintContext, panels
from generator.core.dashboard_variables import template_variables

CODE = "GD006"
NAME = "datasource-variable"
REFERENCE = re.compile(r"^\$\{?([A-Za-z_]\w*)\}?$")


def _uses_variable(reference: Any, names: set[str]) -> bool:
    uid = reference.get("uid", "") if isinstance(reference, dict) else str(reference or "")
    match = REFERENCE.match(uid)
    return bool(match and match.group(1) in names)


def check(dashboard: dict[str, Any], context: LintContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Panels and targets whose data source is not a datasource-type variable."""
    names = {v["name"] for v in template_variables(dashboard) if v.get("type") == "datasource"}
    for panel in panels(dashboard):
        if not panel.get("targets"):
            continue
        if not _uses_variable(panel.get("datasource"), names):
            yield panel, f"data source {panel.get('datasource')!r} is not a data source variable"
        for target in panel["targets"]:
            if "datasource" in target and not _uses_variable(target["datasource"], names):
                yield panel, f"query {target.get('refId', '?')} uses data source {target['datasource']!r}"
