"""Static latency bounds: the formula applied to the shipped definitions, in real and compressed time."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from generator.analysis.latency import Bound, alert_bound, bounds, escalation_bounds, route_for
from generator.analysis.latency_notify import Notify
from generator.analysis.latency_report import verdicts
from generator.derive.time_compression import apply
from generator.model import Alert, Example, Forecast
from generator.model.profile import Profile
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[2]


def test_cpu_high_bound_adds_scrape_window_evaluations_for_and_the_route_waits(project: Project) -> None:
    bound = alert_bound(project, project.alerts["CpuHigh"])
    # 15 s scrape + 5 m rate window + 2 evaluations (recording rule, alert) + for 5 m
    path = bound.path
    assert (path.scrape, path.job, path.window, bound.evaluations, bound.for_) == (15, 0, 300, 30, 300)
    # then group_wait 10 s (a new group) or group_interval 1 m (a group that already notified), + the HA pair's 15 s
    assert (bound.route.group_wait, bound.route.group_interval, bound.route.peer) == (10, 60, 15)
    assert (bound.detect, bound.route.new_group, bound.notify, bound.total) == (645, 25, 75, 720)
    assert bound.held == 15 + 300 + 75  # condition true -> notification: its evaluation, for, then notify
    assert bound.receiver == "email-slack-webhook"


def test_exporter_fed_alerts_wait_for_the_jobs_that_compute_their_series(project: Project) -> None:
    failing = alert_bound(project, project.alerts["BusinessQueryFailing"])
    # consecutive_failures >= 2 of disk_free (every 10 m, 30 s timeout): two failed runs, the second at its timeout
    assert failing.detect == 15 + 1230 + 15 + 0
    assert failing.path.job == 2 * 600 + 30
    anomaly = alert_bound(project, project.alerts["ForecastAnomaly"])
    assert anomaly.detect == 30 + 630 + 3600 + 30 + 600
    # the slowest forecast, revenue_hourly (increase over 1 h, recorded): scrape, 1 h window, the recording
    # level, then the forecast's grid step (5 m), interval (5 m) and timeout (30 s), the exporter's scrape
    assert (anomaly.path.scrape, anomaly.path.job, anomaly.path.window, anomaly.evaluations) == (30, 630, 3600, 30)
    # down gauges change with the first run of any job of their source: a 1 m query of shop, a 5 m forecast
    assert alert_bound(project, project.alerts["BusinessDatabaseDown"]).path.job == 60 + 10
    assert alert_bound(project, project.alerts["ForecastPrometheusDown"]).path.job == 300 + 30


def test_a_forecast_reading_an_exported_business_metric_waits_for_both_jobs(project: Project) -> None:
    orders = next(f for f in project.all(Forecast) if f.name == "orders_rate")  # sum(rate(shop_orders_total[15m]))
    only = replace(project, objects=tuple(o for o in project.objects
                                          if not isinstance(o, Forecast) or o is orders))
    anomaly = alert_bound(only, only.alerts["ForecastAnomaly"])
    # the query (1 m + 10 s), scrape, 15 m window, forecast (5 m step + 5 m + 30 s), scrape, evaluation, for 10 m
    assert anomaly.detect == 30 + 700 + 900 + 15 + 600
    assert (anomaly.path.scrape, anomaly.path.job, anomaly.path.window) == (30, 70 + 630, 900)


def test_a_recording_level_waits_for_its_own_group_interval(project: Project) -> None:
    series = 'service:http_request_duration_seconds:p95_1h{service="api"}'
    hourly = Alert(name="ApiSlowHour", expr=f"{series} > 1", severity="critical", summary="s", description="d",
                   runbook="r", examples=(Example(name="e", series={series: "2x5"}, at="1m", fires=True,
                                                  labels={"service": "api"}),), **{"for": "0s"})
    assert alert_bound(project, hourly).evaluations == 60 + 15  # aggregation-plan-1h runs every minute


def test_a_hanging_target_is_down_after_the_scrape_timeout(project: Project) -> None:
    assert alert_bound(project, project.alerts["TargetDown"]).detect == 15 + 10 + 15 + 600


def test_a_range_over_a_recorded_series_is_a_baseline_not_a_wait(project: Project) -> None:
    bound = alert_bound(project, project.alerts["RevenueDrop"])
    assert bound.path.window == 3600  # increase(revenue_total[1h]), not last week's hour it is compared with


def test_emergency_notifies_without_group_wait_and_watchdog_reads_no_scrape(project: Project) -> None:
    assert alert_bound(project, project.alerts["MemoryHigh"]).route.new_group == 0 + 15
    watchdog = alert_bound(project, project.alerts["Watchdog"])
    assert (watchdog.path.scrape, watchdog.path.window) == (0, 0)
    # routed with the stack's external labels, as Prometheus sends it: its own heartbeat route matches them
    assert watchdog.route.receiver == "deadman"


def test_for_rounds_up_to_whole_evaluations(project: Project) -> None:
    odd = Alert(name="OddFor", expr="up == 0", severity="critical", summary="s", description="d", runbook="r",
                examples=(Example(name="e", series={"up": "0x10"}, at="5m", fires=True, labels={}),),
                **{"for": "20s"})
    assert alert_bound(project, odd).for_ == 30  # evaluated every 15 s: fires at the second evaluation after 20 s


def test_a_new_groups_first_notification_meets_the_plan_target_in_real_and_compressed_time(
        project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60, scrape_interval="1s"))
    assert max(b.route.new_group for b in bounds(project)) == 10 + 15
    # scrape 1 s + 20 s window floor + 2 evaluations + for 5m (22.5 s: the 20 s floor + 5m / 60 / 2, so it keeps
    # its order with every other `for`; 23 s in whole evaluations); then group_wait 1 s, group_interval 10 s, peer 15 s
    cpu = alert_bound(fast, fast.alerts["CpuHigh"])
    assert (cpu.detect, cpu.route.new_group, cpu.total) == (1 + 20 + 2 + 23, 1 + 15, 46 + 10 + 15)


def test_escalation_levels_notify_at_once_after_their_delay(project: Project) -> None:
    levels = escalation_bounds(project)
    # one evaluation, the delay, then group_wait 0 s or group_interval 1 m, + the HA pair's 15 s
    assert [(b.name, b.receiver, b.total) for b in levels] == [
        ("default level 1", "email_team_lead", 15 + 900 + 75),
        ("default level 2", "email_manager-slack_urgent", 15 + 1800 + 75),
        ("default level 3", "email_director-webhook_pagerduty", 15 + 3600 + 75)]


def test_log_alerts_are_bounded_with_lokis_ruler_and_their_own_levels(project: Project) -> None:
    from generator.analysis.latency import log_alert_bounds

    alerts, levels = log_alert_bounds(project)
    rag = next(b for b in alerts if b.name == "RagEngineTimeouts")
    # the collector's 5 s flush (+ a 0.2 s file poll), 10 m window, one ruler evaluation (1 m), for 10 m
    assert (rag.path.scrape, rag.path.window, rag.evaluations, rag.for_) == (5.2, 600, 60, 600)
    assert (rag.receiver, rag.route.new_group, rag.notify) == ("email-slack", 25, 75)
    assert [(b.name, b.evaluations, b.for_) for b in levels] == [
        ("RagEngineTimeouts level 1", 60, 900), ("RagEngineTimeouts level 2", 60, 1800),
        ("RagEngineTimeouts level 3", 60, 3600)]


def test_routes_are_matched_like_alertmanager_does(project: Project) -> None:
    assert route_for(project, {"alertname": "Anything", "severity": "warning"}).receiver == "email"
    assert route_for(project, {"alertname": "Anything", "severity": "unknown"}).receiver == "null"


def test_the_verdicts_name_their_reading_and_say_what_joining_a_group_waits() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "latency"], cwd=ROOT, capture_output=True, text=True)
    lines = result.stdout.splitlines()
    stated, joining, other = lines[-3:]
    # a new group's first notification: group_wait 10 s + the HA pair's peer wait 15 s
    assert stated == ("plan target < 30 s, read as a new problem's first notification, firing -> notification in a "
                      "new Alertmanager group (docs/configuration.md's reading): met by every alert (at most 25 s)")
    # another series of an alert already notified waits group_interval, its severity's cooldown: 5 m for warnings
    assert joining == ("an alert joining a group that already notified waits its severity's cooldown "
                       "(group_interval) instead: longest 315 s, HostMetricsMissing")
    assert other.startswith("plan target < 30 s, read as condition true -> notification: met by none of ")
    assert next(line for line in lines if line.startswith("RagEngineTimeouts ")).split()[-1] == "1340.2"
    assert result.returncode == 0, result.stderr


def test_a_new_groups_first_notification_later_than_the_target_misses_it() -> None:
    def bound(name: str, group_wait: float) -> Bound:
        route = Notify(receiver="email", group_wait=group_wait, group_interval=300.0, peer=15.0)
        return cast(Bound, SimpleNamespace(name=name, route=route, held=600.0, notify=route.worst))

    lines, missed = verdicts([bound("Fast", 10.0), bound("Slow", 20.0)])
    assert missed == ["Slow"]  # 20 s + the peer's 15 s
    assert lines[0].endswith("(docs/configuration.md's reading): missed by Slow (at most 35 s)")
    assert lines[1].endswith("instead: longest 315 s, Fast")


def test_obsgen_latency_prints_the_table_in_compressed_time() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "latency", "--time-scale", "60", "--scrape-interval",
                             "1s"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("CpuHigh "))
    # detect, g_wait, g_int (10 s: Alertmanager's floor), peer (not scaled), notify, held, bound
    assert row.split()[-7:] == ["46", "1", "10", "15", "25", "49", "71"]
    assert next(line for line in lines if line.startswith("RagEngineTimeouts ")).split()[1] == "email-slack"
    assert "(docs/configuration.md's reading): met by every alert" in lines[-3]


def test_obsgen_diff_reads_the_same_bounds_from_the_generated_files(project: Project) -> None:
    from generator.analysis.diff.alert_view import alert_view
    from generator.analysis.diff.changes import OutTree

    tree = OutTree(ROOT / "out")
    for alert in project.alerts.values():
        view = alert_view(tree, alert.name)
        assert view is not None and view.bound == alert_bound(project, alert), alert.name
