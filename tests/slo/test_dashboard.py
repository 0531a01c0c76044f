"""The SLO overview dashboard description: one row per SLO whose every query reads defined series and has data."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from generator.build import build
from generator.core.promql import metric_names
from generator.derive.slo.dashboard import inputs_panel
from generator.derive.slo.feed import Segment, input_series, values
from generator.derive.slo.scenarios import budget_scenario
from generator.model import SLO, Dashboard, Metric, Panel
from generator.model.identity import dashboard_uid
from generator.model.project import Project
from generator.model.sli import Feed
from tests.servers import promtool_test
from tests.slo.test_absent import CALLS
from tests.slo.tiny import write

PANELS = ["Objective", "SLI (5m)", "SLI (30d)", "Error budget left", "Burn rate (5m)", "Burn alerts firing",
          "Error budget left over 30d", "Burn rate per window", "SLI inputs absent"]

@pytest.fixture(scope="module")
def board(project: Project) -> Dashboard:
    """The SLO overview of the shipped SLOs, as the loader generates it."""
    return next(dashboard for dashboard in project.all(Dashboard) if dashboard.name == "SLO Overview")


def _steps(panel: Panel) -> list[tuple[float | None, str]]:
    return [(step.value, step.color) for step in panel.thresholds]


def test_one_row_per_slo_with_the_same_panels(slos: list[SLO], board: Dashboard) -> None:
    dashboard = board
    assert dashboard.uid == dashboard_uid("SLO Overview") == "slo-overview" and dashboard.time_range == "7d"
    assert [row.title for row in dashboard.rows] == [
        "metrics-pipeline scrapes: 99.9% over 30d", "metrics-pipeline rule-evaluations: 99.9% over 30d",
        "checkout availability: 99.9% over 30d", "api latency: 99% over 30d", "alertmanager delivery: 99.5% over 30d"]
    for slo, row in zip(slos, dashboard.rows, strict=True):
        assert [panel.title for panel in row.panels] == [f"{title} ({slo.service} {slo.name})" for title in PANELS]
        widths = [panel.width for panel in row.panels]
        assert None not in widths and sum(filter(None, widths)) == 2 * 24  # a line of six stats, of three graphs


def test_panel_titles_are_unique_because_panel_ids_derive_from_them(board: Dashboard) -> None:
    titles = [row.title for row in board.rows] + [p.title for r in board.rows for p in r.panels]
    assert len(set(titles)) == len(titles)
    assert all(panel.description and panel.unit for row in board.rows for panel in row.panels)


def test_alert_links_open_this_dashboard(project: Project, slos: list[SLO], board: Dashboard) -> None:
    alert = project.alerts[slos[0].alert(slos[0].alerting.windows[0])]
    assert alert.dashboard == board.name


def test_units_and_thresholds_read_the_objective_and_the_burn_factors(board: Dashboard) -> None:
    latency = {panel.title.removesuffix(" (api latency)"): panel for panel in board.rows[3].panels}
    sli = latency["SLI (5m)"]
    assert sli.unit == "percentunit" and _steps(sli) == [(None, "red"), (0.99, "green")]
    assert (latency["Objective"].decimals, sli.decimals) == (0, 2)  # 99% as promised; the SLI as 99.12%
    burn = latency["Burn rate per window"]
    assert _steps(burn) == [(None, "green"), (1, "orange"), (3, "orange"), (6, "red"), (14.4, "red")]
    assert [query.legend for query in burn.queries] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    shown = "(slo:api_latency_sli_error:ratio_rate{} or 0 * slo:api_latency_events:rate5m)"
    assert burn.queries[2].expr == f"{shown.format('1h')} / 0.01"
    assert latency["Error budget left over 30d"].time_range == "30d"
    # budget left and burn are the SLI panels' own ratios over the budget (read apart, the demo once showed an SLI
    # of 99.970% on a 99.9% objective beside 54.4% of the budget left)
    period, now = shown.format("30d"), shown.format("5m")
    assert latency["SLI (30d)"].queries[0].expr == f"1 - {period}"
    assert latency["Error budget left"].queries[0].expr == f"1 - {period} / 0.01"
    assert latency["Burn rate (5m)"].queries[0].expr == f"{now} / 0.01"
    assert latency["Burn alerts firing"].value_texts[0].text == "none"


def test_every_query_reads_only_series_the_project_defines(project: Project, slos: list[SLO],
                                                           board: Dashboard) -> None:
    for slo, row in zip(slos, board.rows, strict=True):
        known = {*project.recording_rules, "ALERTS", *(name for s in slo.sli.inputs() for name in metric_names(s))}
        for panel in row.panels:
            for query in panel.queries:
                assert metric_names(query.promql) <= known, (panel.title, query.expr)


def test_every_query_returns_one_series_on_the_slos_own_rules(out: Path, slos: list[SLO], board: Dashboard,
                                                              tmp_path: Path) -> None:
    """promtool feeds each SLO a half-budget burn and counts each panel query's series at the end."""
    tests = []
    for slo, row in zip(slos, board.rows, strict=True):
        scenario = budget_scenario(slo)
        minute = scenario.checks[-1].minute
        tests.append({
            "name": f"{row.title}: every panel has data",
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in input_series(slo.sli, scenario.segments).items()]
                            + [_watchdog(minute)],
            "promql_expr_test": [
                {"expr": f"count({query.expr})", "eval_time": f"{minute}m", "exp_samples": [{"value": 1}]}
                for panel in row.panels for query in panel.queries
            ],
        })
    _promtool(tests, [str(out / f"prometheus/rules/slo-{slo.slug}.yml") for slo in slos],
              tmp_path / "dashboard-queries.yml")
    assert sum(len(test["promql_expr_test"]) for test in tests) == sum(14 + len(slo.sli.inputs()) for slo in slos)


def _watchdog(minutes: int) -> dict[str, str]:
    """The heartbeat's ALERTS series for so many minutes: Prometheus evaluates the rules."""
    return {"series": 'ALERTS{alertname="Watchdog",alertstate="firing",severity="info"}', "values": f"1x{minutes}"}


WATCHDOG = _watchdog(120)


def test_burn_alerts_firing_reads_0_beside_the_heartbeat_and_no_data_where_no_rule_is_evaluated(
        board: Dashboard, tmp_path: Path) -> None:
    """`count(...) or vector(0)` read 0 burn alerts firing where no rule is evaluated at all (rules not loaded,
    another data source): a green 'none' that says nothing. Beside the Watchdog heartbeat it is 0, else No data."""
    counts = [panel.queries[0].expr for row in board.rows for panel in row.panels
              if panel.title.startswith("Burn alerts firing")]
    assert len(counts) == len(board.rows)
    burning = 'ALERTS{alertname="CheckoutAvailabilityBudgetBurn1h",alertstate="firing",severity="critical"}'
    Night = tuple[str, list[dict[str, str]], list[dict[str, int]]]
    nights: tuple[Night, ...] = (("rules evaluated, no burn", [WATCHDOG], [{"value": 0}]),
                                 ("no rule evaluated", [{"series": 'up{job="prometheus"}', "values": "1x120"}], []))
    tests = [{"name": f"{night}: {expr}", "interval": "1m", "input_series": series,
              "promql_expr_test": [{"expr": expr, "eval_time": "10m", "exp_samples": expected}]}
             for night, series, expected in nights for expr in counts]
    tests.append({"name": "a burn", "interval": "1m", "input_series": [WATCHDOG, {"series": burning, "values": "1x20"}],
                  "promql_expr_test": [{"expr": next(e for e in counts if "CheckoutAvailabilityBudgetBurn1h" in e),
                                        "eval_time": "10m", "exp_samples": [{"value": 1}]}]})
    _promtool(tests, [], tmp_path / "burns.yml")
    assert all("while the heartbeat Watchdog fires" in panel.description for row in board.rows
               for panel in row.panels if panel.title.startswith("Burn alerts firing"))


def _promtool(tests: Sequence[Mapping[str, object]], rules: list[str], spec: Path) -> None:
    result = promtool_test({"rule_files": rules, "evaluation_interval": "1m", "tests": tests}, spec)
    assert result.returncode == 0, result.stdout + result.stderr


def test_before_any_failure_every_panel_reads_a_whole_budget_not_no_data(project: Project, out: Path,
                                                                          slos: list[SLO], board: Dashboard,
                                                                          families: dict[str, Metric],
                                                                          tmp_path: Path) -> None:
    """A service that has not failed yet has no series of failures (`status=~"5.."` matches nothing): its ratio
    rules record nothing, and a panel reading them bare says "No data" where the SLI beside it says 100%. Each
    panel, and the Executive dashboard's checkout availability, reads a whole budget, no burn and no alert."""
    executive = next(d for d in project.all(Dashboard) if d.name == "Executive")
    checkout = next(p for r in executive.rows for p in r.panels if p.title == "Checkout Availability")
    quiet = [Segment(120, Decimal(0))]
    tests = []
    for slo, row in zip(slos, board.rows, strict=True):
        expected = {"Objective": slo.target, "SLI (5m)": 1, "SLI (30d)": 1, "Error budget left": 1,
                    "Burn rate (5m)": 0, "Burn alerts firing": 0, "Error budget left over 30d": 1,
                    "Burn rate per window": 0, "SLI inputs absent": 0}
        fed = [series for series in slo.sli.test_series() if series.feed is not Feed.BAD]
        # an input is absent only when no series of its name is fed: a failures counter of its own name not created
        # yet (rule evaluations') reads 1, failing requests of the total's name (checkout's 5xx) do not
        unfed = {query.legend for query in inputs_panel(slo, families).queries
                 if not any(series.selector.startswith(f"{query.legend}{{") or series.selector == query.legend
                            for series in fed)}
        queries = [(query.expr, 1 if panel.title.startswith("SLI inputs absent") and query.legend in unfed else
                    expected[panel.title.removesuffix(f" ({slo.service} {slo.name})")])
                   for panel in row.panels for query in panel.queries]
        if slo.key == "checkout_availability":
            queries += [(checkout.queries[0].expr, 1)]
        tests.append({
            "name": f"{row.title}: quiet, never failed",
            "interval": "1m",
            "input_series": [{"series": series.selector, "values": values(series.feed, quiet)} for series in fed]
                            + [WATCHDOG],  # rules evaluated
            "promql_expr_test": [{"expr": f"sum({expr})", "eval_time": "100m", "exp_samples": [{"value": value}]}
                                 for expr, value in queries],
        })
    assert any(series.feed is Feed.BAD for slo in slos for series in slo.sli.test_series())
    failures = "prometheus_rule_evaluation_failures_total"
    assert [slo.key for slo in slos if any(q.legend == failures for q in inputs_panel(slo, families).queries)] == [
        "metrics_pipeline_rule_evaluations"]
    _promtool(tests, [str(out / f"prometheus/rules/slo-{slo.slug}.yml") for slo in slos], tmp_path / "quiet.yml")


def test_an_input_created_at_its_first_event_reads_none_yet_in_grey_as_its_alert_is_silent(tmp_path: Path) -> None:
    """The rpc SLO's failures family is created at the first failure, so RpcAvailabilitySLIAbsent watches the total
    alone: after a quiet restart the panel showed the failures ABSENT in red while the alert stayed silent. It
    reads them 'none yet' in a neutral colour, marked and named in the description, and the total ABSENT in red."""
    out = tmp_path / "out"
    build(write(tmp_path, CALLS), out)
    board = json.loads((out / "grafana/dashboards/General/slo-overview.json").read_text())
    panel = next(p for p in board["panels"] if p["title"] == "SLI inputs absent (rpc availability)")
    mapped = {value: (option["text"], option["color"]) for mapping in panel["fieldConfig"]["defaults"]["mappings"]
              for value, option in mapping["options"].items()}
    legends = {target["legendFormat"]: target["expr"] for target in panel["targets"]}
    assert set(legends) == {"calls_total", "calls_failed_total (created at first event)"}, legends
    assert mapped == {"0": ("present", "green"), "1": ("ABSENT", "red"), "2": ("none yet", "text")}
    assert "RpcAvailabilitySLIAbsent pages" in panel["description"]
    assert "created at first event' (calls_failed_total{method=\"Get\"})" in panel["description"]
    restart = [{"series": 'calls_total{method="Get"}', "values": "0+10x30 stale 0x60"},
               {"series": 'calls_failed_total{method="Get"}', "values": "2x30 stale"}]
    crash = [{"series": 'calls_total{method="Get"}', "values": "0+10x30 stale"},
             {"series": 'calls_failed_total{method="Get"}', "values": "2x30 stale"}]
    total, failed = legends["calls_total"], legends["calls_failed_total (created at first event)"]
    tests: list[dict[str, object]] = [
        {"name": name, "interval": "1m", "input_series": series,
         "promql_expr_test": [{"expr": expr, "eval_time": "60m", "exp_samples": [{"value": value}]}
                              for expr, value in ((total, shown_total), (failed, 2))]}
        for name, series, shown_total in (("a quiet restart", restart, 0), ("a crash", crash, 1))]
    _promtool(tests, [str(out / "prometheus/rules/slo-rpc-availability.yml")], tmp_path / "inputs.yml")


def test_the_slo_overview_and_every_dashboard_read_the_heartbeats_one_way(project: Project) -> None:
    """One reading of the heartbeat alerts (firing_count.heartbeat_names_of): of the objects the loader hands the SLO
    overview, of the project's alerts for the other dashboards; an alert declared twice is one name, as by_name."""
    from generator.derive.dashboards import heartbeat_names
    from generator.derive.firing_count import heartbeat_names_of
    from generator.model import Alert

    watchdog = next(alert for alert in project.alerts.values() if alert.heartbeat is not None)
    objects = [*project.objects, watchdog.model_copy()]
    assert heartbeat_names_of(objects) == heartbeat_names(project) == (watchdog.name,)
    assert heartbeat_names_of(obj for obj in objects if not isinstance(obj, Alert)) == ()
