"""End to end on the live stack: each fault of the demo reaches the receivers its severity and policy name.

The stack runs the shipped definitions 60x faster (an hour in a minute). The slow business faults start
first, so they ripen while the CPU alert climbs its escalation ladder.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from tests.e2e.conftest import SIMULATED_HOST

PLAN_TARGET = 30.0
"""Seconds from the alert firing to the notification, at most (the plan's success target)."""


@pytest.fixture(scope="module", autouse=True)
def business_faults(live: LiveClient) -> Iterator[float]:
    """Conversion and revenue drop from the start of the module; their alerts need a minute to hold."""
    started = live.inject(Fault.CONVERSION)
    live.inject(Fault.REVENUE)
    yield started
    live.clear(Fault.CONVERSION)
    live.clear(Fault.REVENUE)


def test_cpu_high_reaches_the_critical_route_escalates_1_2_3_and_resolves(live: LiveClient) -> None:
    injected = live.inject(Fault.CPU)
    fired = live.wait_alert("CpuHigh", timeout=60, **SIMULATED_HOST)
    webhook = live.notified("/webhook", "CpuHigh", timeout=PLAN_TARGET, after=injected, **SIMULATED_HOST)
    assert webhook["body"]["receiver"] == "email-slack-webhook"
    assert webhook["body"]["commonLabels"]["severity"] == "critical"
    live.notified("/slack", "CpuHigh", timeout=5, after=injected, **SIMULATED_HOST)
    live.mailed("oncall@company.com", "CpuHigh", timeout=5, after=injected, **SIMULATED_HOST)
    print(f"\nCpuHigh firing -> webhook: {webhook['received'] - fired:.2f} s")
    assert webhook["received"] - fired < PLAN_TARGET

    # escalation policy "default" at 60x: level 1 after 15 s, 2 after 30 s, 3 after 60 s of firing
    lead = live.mailed("team-lead@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
    manager = live.mailed("manager@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
    urgent = live.notified("/slack_urgent", "CpuHigh", timeout=5, after=fired, **SIMULATED_HOST)
    director = live.mailed("director@company.com", "CpuHigh", timeout=60, after=fired, **SIMULATED_HOST)
    pager = live.notified("/webhook_pagerduty", "CpuHigh", timeout=5, after=fired, **SIMULATED_HOST)
    assert "(escalation level 1)" in lead["subject"]
    assert urgent["body"]["commonLabels"]["escalation_level"] == "2"
    assert pager["body"]["commonLabels"]["escalation_level"] == "3"
    climbed = [round(mail["received"] - fired, 1) for mail in (lead, manager, director)]
    print(f"escalation levels 1, 2, 3 reached after {climbed} s of firing")
    assert 14 < climbed[0] < climbed[1] < climbed[2]  # each level no sooner than its delay (15, 30, 60 s)
    assert climbed[1] >= 29 and climbed[2] >= 59

    cleared = live.clear(Fault.CPU)
    resolved = live.notified("/webhook", "CpuHigh", status="resolved", timeout=40, after=cleared, **SIMULATED_HOST)
    live.mailed("oncall@company.com", "CpuHigh", status="resolved", timeout=5, after=cleared, **SIMULATED_HOST)
    assert resolved["body"]["alerts"][0]["endsAt"] > resolved["body"]["alerts"][0]["startsAt"]


def test_memory_reaches_the_emergency_route_at_once_and_resolves(live: LiveClient) -> None:
    injected = live.inject(Fault.MEMORY)
    fired = live.wait_alert("MemoryHigh", timeout=30, **SIMULATED_HOST)
    webhook = live.notified("/webhook", "MemoryHigh", timeout=10, after=injected, **SIMULATED_HOST)
    assert webhook["body"]["commonLabels"]["severity"] == "emergency"
    assert webhook["body"]["receiver"] == "email-slack-webhook"
    live.mailed("oncall@company.com", "MemoryHigh", timeout=5, after=injected, **SIMULATED_HOST)
    print(f"\nMemoryHigh firing -> webhook: {webhook['received'] - fired:.2f} s (group_wait 0s)")
    assert webhook["received"] - fired < 1.0  # no cooldown: a critical alert waits 1 s at this scale

    cleared = live.clear(Fault.MEMORY)
    live.notified("/webhook", "MemoryHigh", status="resolved", timeout=30, after=cleared, **SIMULATED_HOST)


def test_conversion_drop_sends_a_warning_email_only(live: LiveClient, business_faults: float) -> None:
    mail = live.mailed("oncall@company.com", "ConversionRateLow", timeout=120, after=business_faults)
    assert "WARNING ConversionRateLow" in mail["subject"]
    assert live.query("job:conversion_rate:ratio_rate10m < 0.05"), "the conversion rate should be below 5%"
    chat = [r for r in live.webhooks.records() if r["body"]["commonLabels"].get("alertname") == "ConversionRateLow"]
    assert chat == [], "a warning goes by email only"


def test_revenue_drop_against_the_backfilled_week_is_critical(live: LiveClient, business_faults: float) -> None:
    # the compressed week (7d / 60 = 2h48m) is history written before the stack started
    up_for = int(time.time() - live.stack.ready_at) + 60
    history = live.query(f"count_over_time(revenue_total[1h] offset {up_for}s)")
    assert history and float(history[0]["value"][1]) > 100, "no backfilled history of revenue_total"
    baseline = live.query("sum(job:revenue:increase1h_offset1w)")
    assert baseline and float(baseline[0]["value"][1]) > 0, "last week's hour should come from the backfilled week"
    slack = live.notified("/slack", "RevenueDrop", timeout=120, after=business_faults)
    assert slack["body"]["receiver"] == "email-slack"
    assert slack["body"]["commonLabels"]["severity"] == "critical"
    live.mailed("oncall@company.com", "RevenueDrop", timeout=5, after=business_faults)


def test_inhibition_mutes_the_lower_severity(live: LiveClient) -> None:
    labels = {"alertname": "InhibitionProbe", "instance": "probe-1"}
    alerts = [{"labels": {**labels, "severity": severity}, "annotations": {"summary": f"probe {severity}"}}
              for severity in ("warning", "critical")]
    sent = time.time()
    requests.post(live.stack.urls["alertmanager"] + "/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
    live.notified("/slack", "InhibitionProbe", timeout=30, after=sent, severity="critical")
    deadline = time.monotonic() + 30
    while True:
        found = requests.get(live.stack.urls["alertmanager"] + "/api/v2/alerts",
                             params={"filter": 'alertname="InhibitionProbe"'}, timeout=10).json()
        warning = next(a for a in found if a["labels"]["severity"] == "warning")
        if warning["status"]["state"] == "suppressed" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert warning["status"]["inhibitedBy"], f"the warning should be inhibited by the critical one: {warning}"
    assert not [m for m in live.emails.records() if "WARNING InhibitionProbe" in m["subject"]]
