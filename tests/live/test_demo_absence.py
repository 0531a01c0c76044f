"""The demo history's gaps for absent() alerts: which series they empty and how long before the episode."""

from __future__ import annotations

import dataclasses

import pytest

from generator.core.promql import LOOKBACK
from generator.live.demo_absence import gaps, lookback
from generator.model.project import Project


@pytest.mark.parametrize(("expr", "wait"), [
    ("absent(x)", LOOKBACK), ("absent(sum by (job) (x > 0))", LOOKBACK),
    ("absent(rate(x[5m]))", 0.0),  # empty once the 5m range (which the episode's lead counts) holds no sample
    ("absent_over_time(x[15m])", 0.0),
    ("absent_over_time(x[1h:1m])", LOOKBACK),  # each step of the subquery still finds a sample for the lookback
    ("absent_over_time(x[15m]) or absent(y)", LOOKBACK),
])
def test_only_an_instant_read_waits_the_lookback_after_the_last_sample(expr: str, wait: float) -> None:
    assert lookback(expr) == wait


def test_the_gap_empties_the_series_the_call_asks_about_at_any_depth(project: Project) -> None:
    shipped = project.alerts["TargetDown"]
    alerts = {"Nested": 'absent(sum by (job) (rate(x_total{job="a"}[5m])))', "Filtered": "absent(x unless y)",
              "Either": 'absent(x or {__name__="y", job="b"})'}
    asking = dataclasses.replace(project, objects=(*project.objects, *(
        shipped.model_copy(update={"name": name, "expr": expr}) for name, expr in alerts.items())))

    def gapped(name: str) -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
        return [(gap.name, gap.matchers) for gap in gaps(asking, {name: (60, 120)})]

    assert gapped("Nested") == [("x_total", (("job", "=", "a"),))]
    assert gapped("Filtered") == [("x", ())]  # emptying y would only bring x back
    assert gapped("Either") == [("x", ()), ("y", (("job", "=", "b"),))]  # both, or the other keeps it quiet
