"""A time series' soft axis limits are typed Panel fields (soft_min, soft_max), written as Grafana's
custom.axisSoftMin / axisSoftMax: Error Rates' 5% line was hidden, the axis scaled to the series at 0.11% and
Grafana drawing no threshold outside it; the log panels reached theirs through extra=."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generator.derive.layout import Box
from generator.model import Dashboard, Panel
from generator.model.project import Project
from generator.targets.grafana_panels import panel_json


def test_soft_limits_are_written_as_the_axis_custom_options() -> None:
    panel = Panel(title="Errors", kind="line", queries="x", thresholds=((0.05, "red"),), soft_min=0, soft_max=0.0625)
    custom = panel_json(panel, Box(0, 0, 12, 8))["fieldConfig"]["defaults"]["custom"]
    assert (custom["axisSoftMin"], custom["axisSoftMax"], custom["thresholdsStyle"]) == (0, 0.0625, {"mode": "line"})
    assert "axisSoftMax" not in panel_json(Panel(title="Errors", kind="line", queries="x"), Box(0, 0, 12, 8))[
        "fieldConfig"]["defaults"]["custom"]


def test_soft_limits_are_refused_where_no_value_axis_takes_them() -> None:
    with pytest.raises(ValidationError, match="not a stat's"):
        Panel(title="Errors", kind="stat", queries="x", soft_max=1)
    with pytest.raises(ValidationError, match=r"soft_min 1\.0 must be below soft_max 1\.0"):
        Panel(title="Errors", kind="line", queries="x", soft_min=1, soft_max=1)


def test_each_operations_threshold_line_is_in_view_through_the_typed_field(project: Project) -> None:
    """Every thresholded time series of Operations reaches its highest step on a soft or hard maximum, and no
    shipped panel sets a soft limit through extra=."""
    for dashboard in project.all(Dashboard):
        for panel in dashboard.all_panels:
            custom = panel.extra.get("fieldConfig", {}).get("defaults", {}).get("custom", {})
            assert not {"axisSoftMin", "axisSoftMax"} & custom.keys(), (dashboard.name, panel.title)
    operations = next(d for d in project.all(Dashboard) if d.name == "Operations")
    for panel in operations.all_panels:
        steps = [step.value for step in panel.thresholds if step.value is not None]
        if panel.kind.value == "timeseries" and steps:
            reach = panel.max if panel.max is not None else panel.soft_max
            assert reach is not None and reach >= max(steps), (panel.title, reach, steps)
