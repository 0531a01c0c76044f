"""The demo history's gaps for absent() alerts: which series they empty and how long before the episode."""

from __future__ import annotations

import dataclasses

import pytest

from generator.core.promql import LOOKBACK
from generator.live.demo_absence import gaps, lookback
from generator.live.demo_time import flapping
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


def test_an_or_of_absent_calls_empties_the_first_sides_series_only(project: Project) -> None:
    """Each side fires the alert alone: JobMissing's episode emptied every scrape job's `up`, the whole fleet blank
    on the Operations dashboard's System Overview for its 20 minutes."""
    job_missing = project.alerts["JobMissing"]
    assert " or absent(" in job_missing.expr
    first_job = job_missing.expr.split('"')[1]
    alerts = {"Sides": '(absent(x{job="a"}) or absent(y)) or absent(z)', "Compares": "x > 5 or absent(y)",
              "Within": "max(absent(x) or absent(y))"}  # an aggregation of sides: both, as before
    asking = dataclasses.replace(project, objects=(*project.objects, *(
        job_missing.model_copy(update={"name": name, "expr": expr}) for name, expr in alerts.items())))

    def gapped(name: str) -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
        return [(gap.name, gap.matchers) for gap in gaps(asking, {name: (60, 120)})]

    assert gapped("JobMissing") == [("up", (("job", "=", first_job),))]
    assert gapped("Sides") == [("x", (("job", "=", "a"),))]
    assert gapped("Compares") == [("y", ())]  # the first side that asks about absence
    assert gapped("Within") == [("x", ()), ("y", ())]


def test_an_unless_that_only_asks_whether_series_are_there_cuts_one_of_them(project: Project) -> None:
    shipped = project.alerts["TargetDown"]
    alerts = {"Missing": 'up{job="n"} == 1 unless on (instance) (rate(c_total[5m]) and on (instance) m{a="b"})',
              "Ranged": "up == 1 unless on (instance) rate(c_total[5m])",
              "Compares": "x < 5 unless on (instance) y == 1"}
    asking = dataclasses.replace(project, objects=(*project.objects, *(
        shipped.model_copy(update={"name": name, "expr": expr}) for name, expr in alerts.items())))

    def gapped(name: str) -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
        return [(gap.name, gap.matchers) for gap in gaps(asking, {name: (60, 120)})]

    assert gapped("Missing") == [("m", (("a", "=", "b"),))]  # the instant one: gone after the lookback
    assert lookback(alerts["Missing"]) == LOOKBACK
    assert gapped("Ranged") == [("c_total", ())] and lookback(alerts["Ranged"]) == 0.0
    assert gapped("Compares") == []  # a filter by value: the demo breaches x instead


def test_a_target_flapping_reads_up_on_and_off_while_its_breach_lasts() -> None:
    up = flapping(lambda t: 1.0, (600, 1200), 0.45)
    during = [up(t) for t in range(600, 1200, 15)]
    assert set(during) == {0.0, 1.0} and sum(during) / len(during) == 0.5
    assert up(590) == up(1200) == 1.0
