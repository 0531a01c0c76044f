"""Soak: the live stack at 60x for a simulated day or more, every demo fault on a schedule, then a report.

Every CYCLE seconds (4 simulated hours) the schedule below injects each fault of the demo, overlapping.
Meanwhile every process of the stack is sampled (resident memory, CPU). At the end the report gives:

  per process   RSS at the start, after the first simulated hour and at the end, the peak against a stated
                ceiling, growth per simulated hour (least squares after the first hour), mean CPU
  per fault     alert episodes Prometheus recorded, notifications expected / received / duplicated / lost
                (generator.live.ledger: routes of the compiled alertmanager.yml, sinks' records)
  pipeline      self-scrape availability, rule evaluation failures, notifications Prometheus failed to
                send, notifications Alertmanager failed to deliver

and writes DIR/soak.png (RSS and CPU over simulated time, faults shaded) and DIR/soak.md (the tables).
Usage: python bench/soak.py [--hours 24] [--alertmanagers 1] [--out DIR]   (24 simulated hours: 26 minutes)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.ledger import Routing, Tally, account, episodes
from generator.live.running import LiveStack, availability, down
from generator.live.stack import Options, up
from generator.live.supervisor import Supervisor
from generator.live.usage import usage

ROOT = Path(__file__).resolve().parents[1]
TIME_SCALE = 60.0
CYCLE = 240.0
SCHEDULE = (  # (seconds into the cycle, fault, seconds it lasts): CPU climbs the whole ladder (1, 2, 3)
    (0.0, Fault.CPU, 90.0),
    (20.0, Fault.MEMORY, 12.0),
    (45.0, Fault.ERRORS, 60.0),
    (100.0, Fault.CONVERSION, 100.0),
    (110.0, Fault.REVENUE, 90.0),
)
SIMULATED_HOST = {"instance": "simulated-host"}
FAULT_ALERTS: dict[Fault, tuple[str, dict[str, str]]] = {
    Fault.CPU: ("CpuHigh", SIMULATED_HOST), Fault.MEMORY: ("MemoryHigh", SIMULATED_HOST),
    Fault.CONVERSION: ("ConversionRateLow", {}), Fault.REVENUE: ("RevenueDrop", {}),
    Fault.ERRORS: ("CheckoutAvailabilityBudgetBurn", {})}
"""The alert (a name prefix) each fault raises in the shipped definitions, and labels it carries."""
DETECTION = 120.0
"""Seconds after a fault ends within which an episode it raised may still start."""
DRAIN = 100.0
"""Seconds after the last fault for resolved notifications (escalation routes resolve at their 1m group_interval)."""
SAMPLE_EVERY = 10.0
CEILING_MB = {"prometheus": 400, "alertmanager": 100, "exporter": 200, "demo": 150, "demo-db": 150,
              "node-exporter": 60, "webhook-sink": 60, "smtp-sink": 60, "preview": 150}
"""Resident memory each long-lived process must stay under for a simulated day of this stack."""
SIM_HOUR = 3600.0 / TIME_SCALE


@dataclass
class Samples:
    """RSS (MB) and CPU (%) per process, at real seconds since the stack was ready."""

    at: list[float] = field(default_factory=list)
    rss: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def sample(stack: LiveStack, stop: threading.Event, into: Samples) -> None:
    """Every SAMPLE_EVERY seconds, each process's RSS and its CPU share since the previous sample."""
    previous: dict[str, tuple[float, float]] = {}
    while not stop.is_set():
        now = time.time()
        into.at.append(now - stack.ready_at)
        for process in Supervisor.load(stack.state_dir).processes:
            used = usage(process.pid)
            if used is None:
                into.rss[process.name].append(float("nan"))
                into.cpu[process.name].append(float("nan"))
                continue
            into.rss[process.name].append(used.rss_bytes / 2**20)
            last = previous.get(process.name)
            into.cpu[process.name].append(100 * (used.cpu_seconds - last[1]) / (now - last[0]) if last else 0.0)
            previous[process.name] = (now, used.cpu_seconds)
        stop.wait(SAMPLE_EVERY)


def run_faults(live: LiveClient, seconds: float) -> list[tuple[Fault, float, float]]:
    """Inject the schedule, cycle after cycle, for `seconds`; returns (fault, start, end) of each injection."""
    began = time.time()
    plan = sorted((cycle * CYCLE + offset, fault, length) for cycle in range(int(seconds // CYCLE) + 1)
                  for offset, fault, length in SCHEDULE if cycle * CYCLE + offset + length <= seconds)
    done = []
    for offset, fault, length in plan:
        time.sleep(max(0.0, began + offset - time.time()))
        start = live.inject(fault, seconds=length)
        done.append((fault, start, start + length))
        print(f"{(start - began) / SIM_HOUR:5.1f} h  {fault.value} for {length / SIM_HOUR * 60:.0f} simulated min",
              flush=True)
    time.sleep(max(0.0, began + seconds - time.time()))
    return done


def _fault_of(tally: Tally, injected: list[tuple[Fault, float, float]]) -> str:
    """The fault that raised the episode: its alert, started while the fault lasted or soon after."""
    labels = tally.episode.labels
    name = labels["alertname"]
    for fault, start, end in injected:
        alert, carried = FAULT_ALERTS[fault]
        if (name.startswith(alert) and all(labels.get(k) == v for k, v in carried.items())
                and start <= tally.episode.start <= end + DETECTION):
            return fault.value
    return "not scheduled"


def notification_table(tallies: list[Tally], injected: list[tuple[Fault, float, float]]) -> list[str]:
    """Per fault and alert (escalation levels apart): episodes, then notifications expected/received/dup/lost."""
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    seen: dict[tuple[str, str], set[tuple[float, str]]] = defaultdict(set)
    for tally in tallies:
        key = (_fault_of(tally, injected), tally.episode.name)
        row = rows[key]
        seen[key].add((tally.episode.start, str(sorted(tally.episode.labels.items()))))
        row[1] += tally.expected_firing
        row[2] += tally.received_firing
        row[3] += tally.expected_resolved
        row[4] += tally.received_resolved
        row[5] += tally.duplicated
        row[6] += tally.lost
    lines = ["| fault | alert | episodes | firing expected | received | resolved expected | received | "
             "duplicated | lost |", "|---|---|---|---|---|---|---|---|---|"]
    for (fault, alert), row in sorted(rows.items()):
        lines.append(f"| {fault} | {alert} | {len(seen[(fault, alert)])} | " + " | ".join(map(str, row[1:])) + " |")
    totals = [sum(row[i] for row in rows.values()) for i in range(1, 7)]
    lines.append("| all | | | " + " | ".join(map(str, totals)) + " |")
    return lines


def _at(times: np.ndarray, values: np.ndarray, moment: float) -> float:
    index = int(np.searchsorted(times, moment))
    return float(values[min(index, values.size - 1)])


def memory_table(samples: Samples) -> tuple[list[str], dict[str, float]]:
    """Per process: RSS start / after 1 simulated hour / end / peak vs ceiling, growth per simulated hour, CPU."""
    times = np.array(samples.at)
    lines = ["| process | RSS start MB | after 1 h | end | end / 1 h | peak | ceiling | MB per simulated hour "
             "(after 1 h) | mean CPU % |", "|---|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for name, series in samples.rss.items():
        rss = np.array(series)
        finite = np.isfinite(rss)
        later = finite & (times >= SIM_HOUR)
        slope = np.polyfit(times[later] / SIM_HOUR, rss[later], 1)[0] if later.sum() > 2 else float("nan")
        first_hour, end = _at(times, rss, SIM_HOUR), float(rss[finite][-1])
        ratios[name] = end / first_hour
        ceiling = CEILING_MB.get(name, 0)
        peak = float(np.nanmax(rss))
        lines.append(f"| {name} | {rss[finite][0]:.0f} | {first_hour:.0f} | {end:.0f} | {ratios[name]:.2f} | "
                     f"{peak:.0f} | {ceiling}{'' if peak <= ceiling else ' EXCEEDED'} | {slope:+.2f} | "
                     f"{np.nanmean(samples.cpu[name]):.1f} |")
    return lines, ratios


def plot(samples: Samples, injected: list[tuple[Fault, float, float]], ready_at: float, path: Path) -> None:
    """RSS and CPU per process against simulated hours, CPU faults shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hours = np.array(samples.at) / SIM_HOUR
    figure, (memory, cpu) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    for name in samples.rss:
        memory.plot(hours, samples.rss[name], label=name)
        cpu.plot(hours, samples.cpu[name], label=name)
    for fault, start, end in injected:
        if fault is Fault.CPU:
            for axis in (memory, cpu):
                axis.axvspan((start - ready_at) / SIM_HOUR, (end - ready_at) / SIM_HOUR, color="0.92")
    memory.set_ylabel("RSS (MB)")
    cpu.set_ylabel("CPU (% of one core)")
    cpu.set_xlabel("simulated hours (shaded: cpu fault)")
    memory.set_title(f"live stack at {TIME_SCALE:g}x: every process over {hours[-1]:.1f} simulated hours")
    memory.legend(loc="upper left", fontsize="small", ncol=3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def pipeline_lines(live: LiveClient, seconds: float) -> list[str]:
    """Availability and failure counters of the pipeline over the run."""
    window = f"{int(seconds)}s"

    def total(expr: str) -> float:
        found = live.query(f"sum(increase({expr}[{window}]))")
        return float(found[0]["value"][1]) if found else 0.0

    lines = [f"- self-scrape availability {job}" for job in availability(live.stack)]
    lines += [f"- Prometheus rule evaluation failures: {total('prometheus_rule_evaluation_failures_total'):.0f} "
              f"of {total('prometheus_rule_evaluations_total'):.0f} evaluations",
              f"- Prometheus notifications not sent: errors {total('prometheus_notifications_errors_total'):.0f}, "
              f"dropped {total('prometheus_notifications_dropped_total'):.0f}",
              f"- Alertmanager notifications failed: {total('alertmanager_notifications_failed_total'):.0f} "
              f"of {total('alertmanager_notifications_total'):.0f}"]
    return lines


def keep_evidence(live: LiveClient, tallies: list[Tally], out: Path) -> None:
    """The sinks' records and every tally, beside the report, to audit a figure after the stack is gone."""
    shutil.copy(live.stack.webhook_record, out / "webhook.jsonl")
    shutil.copy(live.stack.email_record, out / "email.jsonl")
    with (out / "tallies.jsonl").open("w") as file:
        for tally in tallies:
            row = {"labels": tally.episode.labels, "start": tally.episode.start, "end": tally.episode.end,
                   "integration": list(tally.integration), "expected_firing": tally.expected_firing,
                   "received_firing": tally.received_firing, "expected_resolved": tally.expected_resolved,
                   "received_resolved": tally.received_resolved, "duplicated": tally.duplicated}
            file.write(json.dumps(row, sort_keys=True) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=24.0, help="Simulated hours of faults (at least 24).")
    parser.add_argument("--alertmanagers", type=int, default=1, help="2 soaks a clustered pair.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "soak-report")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    seconds = args.hours * SIM_HOUR
    with tempfile.TemporaryDirectory(prefix="obsgen-soak-") as state_dir:
        stack = up(Options(definitions=ROOT / "definitions", state_dir=Path(state_dir), time_scale=TIME_SCALE,
                           free_ports=True, alertmanagers=args.alertmanagers))
        live = LiveClient(stack)
        samples, stop = Samples(), threading.Event()
        sampler = threading.Thread(target=sample, args=(stack, stop, samples), daemon=True)
        sampler.start()
        try:
            print(f"soak: {args.hours:g} simulated hours ({seconds / 60:.0f} min), state in {state_dir}", flush=True)
            injected = run_faults(live, seconds)
            time.sleep(DRAIN)
            until = time.time()
            stop.set()
            sampler.join()
            found = episodes(stack.urls["prometheus"], stack.ready_at, until, bridge=4 * stack.resend_delay)
            routing = Routing(stack.out / "alertmanager/alertmanager.yml")
            tallies = account(found, routing, live.webhooks.records() + live.emails.records(), until)
            pipeline = pipeline_lines(live, until - stack.ready_at)
            keep_evidence(live, tallies, args.out)
        finally:
            stop.set()
            down(Path(state_dir))
    memory, ratios = memory_table(samples)
    notifications = notification_table(tallies, injected)
    exporter = ratios.get("exporter", float("nan"))
    verdict = (f"exporter RSS after {args.hours:g} simulated hours / after the first: {exporter:.2f} "
               f"({'within' if abs(exporter - 1) <= 0.25 else 'OUTSIDE'} 25%)")
    report = ["# Soak report", "", f"{args.hours:g} simulated hours at {TIME_SCALE:g}x, "
              f"{args.alertmanagers} Alertmanager(s), {len(injected)} faults injected.", "", "## Memory and CPU", "",
              *memory, "", verdict, "", "## Notifications", "", *notifications, "", "## Pipeline", "", *pipeline]
    plot(samples, injected, stack.ready_at, args.out / "soak.png")
    (args.out / "soak.md").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    print(f"\nwrote {args.out / 'soak.png'} and {args.out / 'soak.md'}")
    lost = sum(t.lost for t in tallies)
    duplicated = sum(t.duplicated for t in tallies)
    return 0 if lost == 0 and duplicated == 0 and abs(exporter - 1) <= 0.25 else 1


if __name__ == "__main__":
    sys.exit(main())
