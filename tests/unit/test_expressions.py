"""Expressions are those of the project's current dashboards, whether a dashboard was seen by the last build or not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.build import load
from generator.derive import expressions as module
from generator.derive.expressions import expressions
from generator.model import Dashboard

ROOT = Path(__file__).resolve().parents[2]


def test_a_dashboard_kept_from_the_last_build_gives_the_same_expressions_and_a_new_one_its_own() -> None:
    project = load(ROOT / "definitions")
    module._LAST_DASHBOARDS.clear()
    first = list(expressions(project))
    assert list(expressions(project)) == first  # the second time from what the first kept

    dashboard = project.all(Dashboard)[0]
    row, panel = next((row, panel) for row in dashboard.rows for panel in row.panels if panel.queries)
    query = panel.queries[0].model_copy(update={"expr": "sum(up)"})
    changed_panel = panel.model_copy(update={"queries": (query, *panel.queries[1:])})
    changed_row = row.model_copy(update={"panels": tuple(changed_panel if item is panel else item
                                                         for item in row.panels)})
    changed = dashboard.model_copy(update={"rows": tuple(changed_row if item is row else item
                                                         for item in dashboard.rows)})
    edited = dataclasses.replace(project, objects=tuple(changed if item is dashboard else item
                                                        for item in project.objects))
    found = list(expressions(edited))
    assert [item.expr for item in found if item.at is changed_panel][:1] == ["sum(up)"]
    assert not any(item.at is panel for item in found)
    module._LAST_DASHBOARDS.clear()
    assert list(expressions(edited)) == found  # as a build that never saw the old dashboard finds them
