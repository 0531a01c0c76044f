"""Static latency bounds: the formula applied to the shipped definitions, in real and compressed time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.analysis.latency import alert_bound, bounds, escalation_bounds, route_for
from generator.derive.time_compression import apply
from generator.model import Alert, Example
from generator.model.profile import Profile
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[2]


def test_cpu_high_bound_adds_scrape_window_evaluations_for_and_group_wait(project: Project) -> None:
    bound = alert_bound(project, project.alerts["CpuHigh"])
    # 15 s scrape + 5 m rate window + 2 evaluations (recording rule, alert) + for 5 m, then group_wait 10 s
    assert (bound.scrape, bound.window, bound.evaluations, bound.for_, bound.group_wait) == (15, 300, 30, 300, 10)
    assert (bound.detect, bound.notify, bound.total) == (645, 10, 655)
    assert bound.receiver == "email-slack-webhook"


def test_a_range_over_a_recorded_series_is_a_baseline_not_a_wait(project: Project) -> None:
    bound = alert_bound(project, project.alerts["RevenueDrop"])
    assert bound.window == 3600  # increase(revenue_total[1h]), not the 7-day average it is compared with


def test_emergency_notifies_without_group_wait_and_watchdog_reads_no_scrape(project: Project) -> None:
    assert alert_bound(project, project.alerts["MemoryHigh"]).notify == 0
    watchdog = alert_bound(project, project.alerts["Watchdog"])
    assert (watchdog.scrape, watchdog.window) == (0, 0)


def test_for_rounds_up_to_whole_evaluations(project: Project) -> None:
    odd = Alert(name="OddFor", expr="up == 0", severity="critical", summary="s", description="d", runbook="r",
                examples=(Example(name="e", series={"up": "0x10"}, at="5m", fires=True, labels={}),),
                **{"for": "20s"})
    assert alert_bound(project, odd).for_ == 30  # evaluated every 15 s: fires at the second evaluation after 20 s


def test_every_alert_meets_the_plan_notify_target_in_real_and_compressed_time(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60, scrape_interval="1s"))
    assert max(b.notify for b in bounds(project)) == 10
    assert alert_bound(fast, fast.alerts["CpuHigh"]).total == 1 + 20 + 2 + 5 + 1


def test_escalation_levels_notify_at_once_after_their_delay(project: Project) -> None:
    levels = escalation_bounds(project)
    assert [(b.name, b.receiver, b.total) for b in levels] == [
        ("default level 1", "email_team_lead", 15 + 900),
        ("default level 2", "email_manager-slack_urgent", 15 + 1800),
        ("default level 3", "email_director-webhook_pagerduty", 15 + 3600)]


def test_routes_are_matched_like_alertmanager_does(project: Project) -> None:
    assert route_for(project, {"alertname": "Anything", "severity": "warning"}).receiver == "email"
    assert route_for(project, {"alertname": "Anything", "severity": "unknown"}).receiver == "null"


def test_obsgen_latency_prints_the_table() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "latency", "--time-scale", "60", "--scrape-interval",
                             "1s"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("CpuHigh "))
    assert row.split()[-3:] == ["28", "1", "29"]
    assert "met by every alert" in result.stdout
