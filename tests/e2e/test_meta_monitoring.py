"""The pipeline watching itself on the live stack: dead man's switch, target down, failing receivers, availability."""

from __future__ import annotations

import os
import signal
import time

import pytest

from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.stack import availability
from generator.live.supervisor import Supervisor, alive
from tests.e2e.conftest import SIMULATED_HOST

PLAN_AVAILABILITY = 0.999


def test_watchdog_reaches_the_dead_mans_switch(live: LiveClient) -> None:
    ping = live.notified("/deadman", "Watchdog", timeout=60)
    assert ping["body"]["receiver"] == "deadman"


@pytest.mark.parametrize(("component", "job"), [("node-exporter", "node"), ("exporter", "obsgen-exporter")])
def test_killing_an_exporter_raises_target_down(live: LiveClient, component: str, job: str) -> None:
    if component in live.stack.skipped:
        pytest.skip(f"{component} not started: {live.stack.skipped[component]}")
    process = next(p for p in Supervisor.load(live.stack.state_dir).processes if p.name == component)
    killed = time.time()
    os.kill(process.pid, signal.SIGKILL)
    while alive(process):
        time.sleep(0.05)
    # kube-prometheus' TargetDown: more than 10% of a job's targets (here its only one) down for 10 minutes (25 s at
    # 60x, after the SLO absent pages it may be paired with: time_compression.held), a warning (group_wait 5 s)
    mail = live.mailed("oncall@company.com", "TargetDown", timeout=60, after=killed, job=job)
    assert "WARNING TargetDown" in mail["subject"]


def test_a_broken_receiver_raises_notifications_failing(live: LiveClient) -> None:
    pager = "/webhook/v2/enqueue"
    live.break_receiver(pager)
    broken = live.inject(Fault.MEMORY)  # MemoryHigh pages PagerDuty too
    try:
        # MemoryHigh fires within 24 s, its page fails, AlertmanagerNotificationsFailing fires within 45 s more
        live.mailed("oncall@company.com", "AlertmanagerNotificationsFailing", timeout=120, after=broken,
                    integration="pagerduty", severity="critical")
    finally:
        live.heal_receiver(pager)
        live.clear(Fault.MEMORY)
    failed = [r for r in live.webhooks.records() if r["path"] == pager and r["answered"] == 500]
    assert failed, f"the sink should have refused deliveries to {pager}"
    live.wait_alert("MemoryHigh", timeout=30, state="inactive", **SIMULATED_HOST)


def test_the_pipeline_scraped_itself_throughout_the_run_and_a_pause_shows(live: LiveClient) -> None:
    # Run alone (not after the shared stack's other files) the stack may be seconds old: let a ratio mean something
    time.sleep(max(0.0, live.stack.ready_at + 20 * live.stack.scrape_interval - time.time()))
    measured = availability(live.stack)
    for job in measured:
        print(f"\nself-scrape availability during the e2e run, {job}")
    assert {job.job for job in measured} == {"prometheus", "alertmanager"}
    # the plan asks 99.9%; on a shared 2-core machine one late scrape in a few hundred is tolerated here
    assert all(job.ratio >= 0.99 for job in measured), measured
    met = all(job.ratio >= PLAN_AVAILABILITY for job in measured)
    print(f"plan target {PLAN_AVAILABILITY:.1%}: {'met' if met else 'missed'}")

    # Prometheus frozen for 5 s scrapes nothing, itself included: the measure must count those scrapes as missed.
    # Its scrape loop scrapes once at once when it resumes, and each count is whole intervals (one either way).
    prometheus = next(p for p in Supervisor.load(live.stack.state_dir).processes if p.name == "prometheus")
    os.kill(prometheus.pid, signal.SIGSTOP)
    time.sleep(5)
    os.kill(prometheus.pid, signal.SIGCONT)
    time.sleep(2 * live.stack.scrape_interval)
    after = {job.job: job for job in availability(live.stack)}["prometheus"]
    before = next(job for job in measured if job.job == "prometheus")
    missed = (after.expected - after.successful) - (before.expected - before.successful)
    print(f"after freezing Prometheus for 5 s: {after} ({missed} scrapes missed)")
    assert 3 <= missed <= 7
