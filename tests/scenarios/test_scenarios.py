"""Every shipped alert through the scenario library with promtool: what it does on a quiet night, when its
series vanish, when traffic declines slowly, when Prometheus restarts, when its condition flaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.promql import metric_names
from generator.model.conventions import ESCALATION_LEVEL_LABEL
from generator.model.project import Project
from tests.scenarios import world
from tests.scenarios.expected import EXPECTED, SHOP_ALERTS
from tests.scenarios.library import SCENARIOS, background, traffic_stops
from tests.scenarios.promtool import promtool_tests, runs, scenario_alerts, shipped_rule_files
from tests.servers import promtool_test


def test_every_shipped_alert_has_its_behaviour_written_down_for_every_scenario(project: Project) -> None:
    assert sorted(EXPECTED) == sorted(alert.name for alert in scenario_alerts(project))
    assert all(len(row) == len(SCENARIOS) for row in EXPECTED.values())
    assert set(EXPECTED) >= SHOP_ALERTS


def test_every_alert_reads_series_the_world_has(project: Project) -> None:
    """An alert whose inputs no scenario feeds is quiet everywhere whatever it means (ForecastAnomaly read
    obsgen_anomaly_score while the world served only obsgen_anomaly_zscore): each series an alert reads, through
    the recording rules it reads, is in the background or some scenario."""
    fed = {selector.split("{")[0] for series in (background(), *(s.series() for s in SCENARIOS)) for selector in series}

    def inputs(expr: str) -> set[str]:
        return {name for read in metric_names(expr) - {"ALERTS"}
                for name in (inputs(project.recording_rules[read].expr) if read in project.recording_rules
                             else {read})}

    unfed = {alert.name: sorted(inputs(alert.condition) - fed) for alert in scenario_alerts(project)}
    assert {alert: names for alert, names in unfed.items() if names} == {}


def test_shared_alerts_behave_alike_in_the_scenarios_of_one_run() -> None:
    for scenarios in runs().values():
        for alert, row in EXPECTED.items():
            if alert not in SHOP_ALERTS:
                assert len({row[SCENARIOS.index(s)] for s in scenarios}) == 1, (alert, [s.name for s in scenarios])


def test_vanishing_series_end_with_a_stale_marker_and_no_sample_after() -> None:
    series = traffic_stops()
    revenue = next(values for selector, values in series.items() if selector.startswith("revenue_total"))
    notation = world.promtool_values(revenue)
    assert notation.endswith("stale _x418")  # 14 hours at 2 minutes: a marker and 419 missing samples


@pytest.mark.parametrize("name", list(runs()))
def test_each_alert_behaves_as_written_down(name: str, project: Project, built: Path, tmp_path: Path) -> None:
    alerts = [alert.name for alert in scenario_alerts(project)]
    # the escalation copies of an alert whose ladder a scenario checks (cpu-flapping's CpuHigh): loaded for every
    # alert, they doubled the eight days of the shops' run, and tripled cpu-flapping's
    ladders = frozenset(alert for scenario in runs()[name] for _, expr, _ in scenario.values for alert in alerts
                        if ESCALATION_LEVEL_LABEL in expr and f'alertname="{alert}"' in expr)
    document = promtool_tests(runs()[name], alerts, shipped_rule_files(project, built, tmp_path / "rules", ladders))
    result = promtool_test(document, tmp_path / f"{name}.yml")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
