"""Alert latency on the live stack, beside the static bound `obsgen latency` computes.

The stack runs the shipped definitions 60x faster (obsgen up on free ports). Each run injects the four
faults of the plan's ALERT_RULES at once (they are independent alert groups), waits for each alert's first
notification, clears the faults and waits until every group has resolved. Per alert it measures

  firing -> notification   from the evaluation that made the alert fire (activeAt + for, as Prometheus
                           reports it) to the sink receiving the notification: the plan's "< 30 s"
  fault -> notification    from injecting the fault to the notification, against the static bound
                           (detect + notify); the goal is p95 within 1.2x of the bound

and, at the end, the pipeline's self-scrape availability over the whole run.
Usage: python bench/alert_latency.py [runs]   (default 5; about 2 minutes per run)
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.examples import alert_labels
from generator.latency import PLAN_NOTIFY_TARGET, Bound, alert_bound, route_for
from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.recording import Record
from generator.live.stack import Options, availability, down, up
from generator.model.duration import parse_seconds
from generator.profile import Profile, apply
from generator.project import Project, load

ROOT = Path(__file__).resolve().parents[1]
TIME_SCALE = 60.0
SCRAPE_INTERVAL = "1s"
GOAL_RATIO = 1.2
ALERTMANAGER_MAINTENANCE = 30.0
"""Seconds between Alertmanager's sweeps of empty aggregation groups (fixed in its dispatcher)."""
SIMULATED_HOST = {"instance": "simulated-host"}


@dataclass
class Scenario:
    """One alert: the fault that raises it and where its first notification is looked for."""

    alert: str
    fault: Fault
    receiver: Callable[[LiveClient, float, float], Record]
    labels: dict[str, str] = field(default_factory=dict)
    fault_to_notify: list[float] = field(default_factory=list)
    firing_to_notify: list[float] = field(default_factory=list)


SCENARIOS = [
    Scenario("CpuHigh", Fault.CPU, lambda live, after, wait: live.notified(
        "/webhook", "CpuHigh", timeout=wait, after=after, **SIMULATED_HOST), SIMULATED_HOST),
    Scenario("MemoryHigh", Fault.MEMORY, lambda live, after, wait: live.notified(
        "/webhook", "MemoryHigh", timeout=wait, after=after, **SIMULATED_HOST), SIMULATED_HOST),
    Scenario("ConversionRateLow", Fault.CONVERSION, lambda live, after, wait: live.mailed(
        "oncall@company.com", "ConversionRateLow", timeout=wait, after=after)),
    Scenario("RevenueDrop", Fault.REVENUE, lambda live, after, wait: live.notified(
        "/slack", "RevenueDrop", timeout=wait, after=after)),
]


def _fired_at(live: LiveClient, project: Project, scenario: Scenario) -> float:
    """When the alert became firing: its pending start plus `for`, rounded up to evaluations."""
    alert = next(a for a in live.alerts() if a["labels"]["alertname"] == scenario.alert and a["state"] == "firing"
                 and all(a["labels"].get(k) == v for k, v in scenario.labels.items()))
    active = datetime.fromisoformat(alert["activeAt"].replace("Z", "+00:00")).timestamp()
    evaluation = parse_seconds(project.stack.evaluation_interval)
    held = parse_seconds(project.alerts[scenario.alert].for_)
    return active + math.ceil(held / evaluation) * evaluation


def one_run(live: LiveClient, project: Project, bounds: dict[str, Bound], routes: list[dict[str, Any]]) -> None:
    """Inject every fault, measure each alert's first notification, then clear and let everything resolve."""
    injected = {s.alert: live.inject(s.fault) for s in SCENARIOS}
    for scenario in SCENARIOS:
        waited = time.time() - injected[scenario.alert]
        record = scenario.receiver(live, injected[scenario.alert], 3 * bounds[scenario.alert].total - waited)
        scenario.fault_to_notify.append(record["received"] - injected[scenario.alert])
        scenario.firing_to_notify.append(record["received"] - _fired_at(live, project, scenario))
    live.clear()
    for scenario in SCENARIOS:
        live.wait_alert(scenario.alert, timeout=180, state="inactive", **scenario.labels)
    # Resolved notifications flush at the next group_interval; Alertmanager then drops the empty groups at its
    # 30 s maintenance. An alert firing again before that joins its old group and waits a group_interval, not
    # group_wait: the bound (and the plan) is about new groups, so each run starts with none left.
    time.sleep(max(parse_seconds(r["group_interval"]) for r in routes) + ALERTMANAGER_MAINTENANCE)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(bounds: dict[str, Bound], runs: int) -> list[str]:
    """The latency table."""
    lines = [f"alert latency on the live stack, time {TIME_SCALE:g}x faster, {runs} runs (seconds)",
             f"{'alert':<18} {'bound':>6} {'p50':>6} {'p95':>6} {'p95/bound':>9}   "
             f"{'notify bound':>12} {'firing->notify p50':>18} {'p95':>6}"]
    for s in SCENARIOS:
        bound = bounds[s.alert]
        p50, p95 = _percentile(s.fault_to_notify, 50), _percentile(s.fault_to_notify, 95)
        f50, f95 = _percentile(s.firing_to_notify, 50), _percentile(s.firing_to_notify, 95)
        lines.append(f"{s.alert:<18} {bound.total:>6g} {p50:>6.1f} {p95:>6.1f} {p95 / bound.total:>9.2f}   "
                     f"{bound.notify:>12g} {f50:>18.2f} {f95:>6.2f}")
    worst = max(_percentile(s.fault_to_notify, 95) / bounds[s.alert].total for s in SCENARIOS)
    slowest = max(_percentile(s.firing_to_notify, 95) for s in SCENARIOS)
    lines.append(f"goal p95 within {GOAL_RATIO}x of the bound: {'met' if worst <= GOAL_RATIO else 'missed'} "
                 f"(worst {worst:.2f}x); plan target firing -> notification < {PLAN_NOTIFY_TARGET:g} s: "
                 f"{'met' if slowest < PLAN_NOTIFY_TARGET else 'missed'} (worst p95 {slowest:.2f} s)")
    return lines


def main(runs: int) -> None:
    """Bring a stack up, run the scenarios, print the table and the availability, bring it down."""
    definitions = ROOT / "definitions"
    project = apply(load(definitions), Profile(time_scale=1 / TIME_SCALE, scrape_interval=SCRAPE_INTERVAL))
    bounds = {s.alert: alert_bound(project, project.alerts[s.alert]) for s in SCENARIOS}
    routes = [route_for(project, {"alertname": s.alert, **alert_labels(project.alerts[s.alert])}) for s in SCENARIOS]
    with tempfile.TemporaryDirectory() as state_dir:
        stack = up(Options(definitions=definitions, state_dir=Path(state_dir), time_scale=TIME_SCALE,
                           scrape_interval=SCRAPE_INTERVAL, free_ports=True))
        try:
            live = LiveClient(stack)
            for run in range(1, runs + 1):
                started = time.monotonic()
                one_run(live, project, bounds, routes)
                print(f"run {run}/{runs} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
            print("\n".join(report(bounds, runs)))
            for measured in availability(stack):
                print(f"self-scrape availability over the run: {measured}")
        finally:
            down(Path(state_dir))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
