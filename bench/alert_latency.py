"""Alert latency on the live stack, beside the static bound `obsgen latency` computes.

The stack runs the shipped definitions 60x faster (obsgen up on free ports). Each run brings up a fresh stack,
injects the four faults of the plan's ALERT_RULES at once (independent alert groups) and waits for each
alert's first notification. A fresh stack per run, because an alert firing again within 15 minutes of
resolving joins its old Alertmanager group (Prometheus keeps sending the resolved alert that long) and waits
for the group's next group_interval, not group_wait: the bound is about new incidents. Per alert it measures

  firing -> notification   from the evaluation that made the alert itself fire (activeAt + for, as Prometheus
                           reports it; not an escalation copy's) to the sink receiving the notification:
                           the plan's "< 30 s" read as obsgen latency's stated reading, for a new group
  fault -> notification    from injecting the fault to the notification, against the static bound of a new
                           group (detect + group_wait + peer wait, of this stack's single Alertmanager); the
                           goal is p95 within the bound, with DELIVERY_ALLOWANCE for the sink's transport,
                           which the bound leaves out

and, at the end, the pipeline's self-scrape availability over all runs.
Usage: python bench/alert_latency.py [runs]   (default 5; about 80 s per run)
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

from generator.analysis.latency import Bound, alert_bound
from generator.analysis.latency_report import PLAN_NOTIFY_TARGET
from generator.build import load
from generator.core.duration import parse_seconds
from generator.derive.time_compression import apply
from generator.live.availability import Availability
from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.recording import Record
from generator.live.running import availability, down
from generator.live.stack import Options, up
from generator.model.conventions import ESCALATION_LEVEL_LABEL
from generator.model.profile import Profile
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[1]
TIME_SCALE = 60.0
SCRAPE_INTERVAL = "1s"
DELIVERY_ALLOWANCE = 1.0
"""Seconds from Alertmanager sending to the local sink having received (the bound stops at the sending)."""
ALERTMANAGERS = ("alertmanager:9093",)
"""The bench's stack runs one Alertmanager (Options' default): no HA peer wait."""
SETTLE = 10.0
"""Seconds between up and the faults: Prometheus finds Alertmanager up to 5 s after it starts, and an alert that
fires before that waits for the next resend."""
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
        "/webhook/v2/enqueue", "CpuHigh", timeout=wait, after=after, **SIMULATED_HOST), SIMULATED_HOST),
    Scenario("MemoryHigh", Fault.MEMORY, lambda live, after, wait: live.notified(
        "/webhook/v2/enqueue", "MemoryHigh", timeout=wait, after=after, **SIMULATED_HOST), SIMULATED_HOST),
    Scenario("ConversionRateLow", Fault.CONVERSION, lambda live, after, wait: live.mailed(
        "oncall@company.com", "ConversionRateLow", timeout=wait, after=after)),
    Scenario("RevenueDrop", Fault.REVENUE, lambda live, after, wait: live.notified(
        "/slack/alerts", "RevenueDrop", timeout=wait, after=after)),
]


def _fired_at(live: LiveClient, project: Project, scenario: Scenario) -> float:
    """When the alert became firing: its pending start plus `for`, rounded up to evaluations. Its escalation
    copies carry its name and labels too, but start pending later and hold longer: they are not it."""
    alert = next(a for a in live.alerts() if a["labels"]["alertname"] == scenario.alert and a["state"] == "firing"
                 and not a["labels"].get(ESCALATION_LEVEL_LABEL)
                 and all(a["labels"].get(k) == v for k, v in scenario.labels.items()))
    active = datetime.fromisoformat(alert["activeAt"].replace("Z", "+00:00")).timestamp()
    evaluation = parse_seconds(project.stack.evaluation_interval)
    held = parse_seconds(project.alerts[scenario.alert].for_)
    return active + math.ceil(held / evaluation) * evaluation


def one_run(project: Project, bounds: dict[str, Bound]) -> list[Availability]:
    """On a fresh stack: inject every fault, measure each alert's first notification; the stack's availability."""
    with tempfile.TemporaryDirectory() as state_dir:
        stack = up(Options(definitions=ROOT / "definitions", state_dir=Path(state_dir), time_scale=TIME_SCALE,
                           scrape_interval=SCRAPE_INTERVAL, free_ports=True))
        try:
            live = LiveClient(stack)
            time.sleep(SETTLE)
            injected = {s.alert: live.inject(s.fault) for s in SCENARIOS}
            for scenario in SCENARIOS:
                waited = time.time() - injected[scenario.alert]
                wait = 3 * new_group(bounds[scenario.alert]) - waited
                record = scenario.receiver(live, injected[scenario.alert], wait)
                scenario.fault_to_notify.append(record["received"] - injected[scenario.alert])
                scenario.firing_to_notify.append(record["received"] - _fired_at(live, project, scenario))
            return availability(stack)
        finally:
            down(Path(state_dir))


def new_group(bound: Bound) -> float:
    """The bound of an alert's first notification in a new group (each run's stack is fresh)."""
    return bound.detect + bound.route.new_group


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(bounds: dict[str, Bound], runs: int) -> list[str]:
    """The latency table."""
    lines = [f"alert latency on the live stack, time {TIME_SCALE:g}x faster, {runs} runs (seconds)",
             f"{'alert':<18} {'bound':>6} {'p50':>6} {'p95':>6} {'p95/bound':>9}   "
             f"{'notify bound':>12} {'firing->notify p50':>18} {'p95':>6}"]
    for s in SCENARIOS:
        bound = new_group(bounds[s.alert])
        p50, p95 = _percentile(s.fault_to_notify, 50), _percentile(s.fault_to_notify, 95)
        f50, f95 = _percentile(s.firing_to_notify, 50), _percentile(s.firing_to_notify, 95)
        lines.append(f"{s.alert:<18} {bound:>6g} {p50:>6.1f} {p95:>6.1f} {p95 / bound:>9.2f}   "
                     f"{bounds[s.alert].route.new_group:>12g} {f50:>18.2f} {f95:>6.2f}")
    over = max(_percentile(s.fault_to_notify, 95) - new_group(bounds[s.alert]) for s in SCENARIOS)
    slowest = max(_percentile(s.firing_to_notify, 95) for s in SCENARIOS)
    lines.append(f"goal p95 within the bound (+{DELIVERY_ALLOWANCE:g} s delivery): "
                 f"{'met' if over <= DELIVERY_ALLOWANCE else 'missed'} (worst {over:+.2f} s against it); "
                 f"plan target firing -> notification < {PLAN_NOTIFY_TARGET:g} s, new groups: "
                 f"{'met' if slowest < PLAN_NOTIFY_TARGET else 'missed'} (worst p95 {slowest:.2f} s)")
    return lines


def main(runs: int) -> None:
    """Run the scenarios on a fresh stack per run; print the table and the self-scrape availability."""
    project = apply(load(ROOT / "definitions"), Profile(time_scale=1 / TIME_SCALE, scrape_interval=SCRAPE_INTERVAL,
                                                        alertmanagers=ALERTMANAGERS))
    bounds = {s.alert: alert_bound(project, project.alerts[s.alert]) for s in SCENARIOS}
    scrapes: dict[str, list[Availability]] = {}
    for run in range(1, runs + 1):
        started = time.monotonic()
        for job in one_run(project, bounds):
            scrapes.setdefault(job.job, []).append(job)
        print(f"run {run}/{runs} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    print("\n".join(report(bounds, runs)))
    for name, runs_of_job in scrapes.items():
        total = Availability(name, sum(m.successful for m in runs_of_job), sum(m.expected for m in runs_of_job))
        print(f"self-scrape availability over the {runs} runs: {total}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
