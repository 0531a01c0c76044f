"""A time series' red line shows where its series stays far under it: Grafana scales the axis to the series alone
and draws no threshold outside it, so an error share of 0.2% under a 50% line showed no line at all, and the
operator could not see how far it was. The shipped meta-monitoring panels and the SLO burn-rate panels reach their
highest line with the axis (max or soft_max)."""

from __future__ import annotations

import pytest

from generator.model import Dashboard, PanelKind
from generator.model.project import Project

PANELS = {"Meta-monitoring": ("Grafana Request Errors", "Failing Queries", "Remote Write Failures",
                              "Remote Write Behind"),
          "SLO Overview": ("Burn rate per window",)}


@pytest.mark.parametrize("dashboard", sorted(PANELS))
def test_the_axis_reaches_each_threshold_line(project: Project, dashboard: str) -> None:
    board = next(d for d in project.all(Dashboard) if d.name == dashboard)
    panels = [p for p in board.all_panels if p.title.split(" (")[0] in PANELS[dashboard]]
    assert {p.title.split(" (")[0] for p in panels} == set(PANELS[dashboard])
    for panel in panels:
        assert panel.kind is PanelKind.TIMESERIES
        highest = max(step.value for step in panel.thresholds if step.value is not None)
        limits = [limit for limit in (panel.max, panel.soft_max) if limit is not None]
        assert limits and max(limits) >= highest, (panel.title, highest, limits)
        assert panel.soft_min == 0 or panel.min == 0, panel.title  # the distance from none to the line
