"""End to end on the live stack: each fault of the demo reaches the receivers its severity and policy name.

The stack runs the shipped definitions 60x faster (an hour in a minute). The slow business faults start
first, so they ripen while the CPU alert climbs its escalation ladder; so do the memory fault (MemoryHigh groups
apart from CpuHigh: the routes group by alertname) and an acknowledged CPU incident on the second simulated host,
which must stay silent through its whole ladder and resume when acknowledged no longer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.demo.host import SIMULATED_HOSTS
from generator.live.recording import Record
from tests.e2e.conftest import ROOT, SIMULATED_HOST

PLAN_TARGET = 30.0
"""Seconds from the alert firing to the notification, at most (the plan's success target)."""
SECOND_HOST = {"instance": SIMULATED_HOSTS[1]}
SILENT_FOR = 120.0
"""Seconds an acknowledged incident must stay silent: its whole ladder (CpuHigh firing some 46 s after the fault, its
level 3 after 60 s of firing) and more."""
RESUMED_WITHIN = 30.0
"""Seconds within which the levels it reached are notified once the acknowledgement ends."""


def obsgen(live: LiveClient, *args: str) -> subprocess.CompletedProcess[str]:
    """An obsgen command run inside the live stack (it finds the stack through $OBSGEN_STATE_DIR)."""
    env = {**os.environ, "OBSGEN_STATE_DIR": str(live.stack.state_dir)}
    env.pop("ALERTMANAGER_URL", None)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


@dataclass(frozen=True)
class Acknowledged:
    """The second host's CPU incident, acknowledged before it began."""

    silence: str
    injected: float


@pytest.fixture(scope="module", autouse=True)
def business_faults(live: LiveClient) -> Iterator[float]:
    """Conversion and revenue drop from the start of the module; their alerts need a minute to hold."""
    started = live.inject(Fault.CONVERSION)
    live.inject(Fault.REVENUE)
    yield started
    live.clear(Fault.CONVERSION)
    live.clear(Fault.REVENUE)


@pytest.fixture(scope="module", autouse=True)
def memory_fault(live: LiveClient) -> Iterator[float]:
    """Memory exhausted on the first simulated host from the start of the module; returns when it began."""
    yield live.inject(Fault.MEMORY)
    live.clear(Fault.MEMORY)


@pytest.fixture(scope="module", autouse=True)
def cpu_fault(live: LiveClient) -> Iterator[float]:
    """The CPU busy on the first simulated host from the start of the module; returns when it began."""
    yield live.inject(Fault.CPU)
    live.clear(Fault.CPU, host=SIMULATED_HOST["instance"])


@pytest.fixture(scope="module", autouse=True)
def acknowledged(live: LiveClient) -> Iterator[Acknowledged]:
    """`obsgen ack CpuHigh instance=simulated-host-2`, then the CPU fault on that host, from the start."""
    ack = obsgen(live, "ack", "CpuHigh", f"instance={SECOND_HOST['instance']}", "--for", "2h",
                 "--comment", "e2e: on it")
    assert ack.returncode == 0, ack.stderr
    silence = ack.stdout.strip()
    yield Acknowledged(silence, live.inject(Fault.CPU, host=SECOND_HOST["instance"]))
    live.clear(Fault.CPU, host=SECOND_HOST["instance"])


def _fired_at(live: LiveClient, alertname: str, since: float, **labels: str) -> float:
    """When Prometheus first evaluated the alert (not a level of its escalation) as firing since a time: the first
    sample of its ALERTS series, which Prometheus writes at the evaluation that sends it to Alertmanager."""
    matchers = "".join(f',{name}="{value}"' for name, value in labels.items())
    window = int(time.time() - since) + 2
    series = live.query(f'ALERTS{{alertname="{alertname}",alertstate="firing",escalation_level=""{matchers}}}'
                        f'[{window}s]')
    firsts = [float(t) for s in series for t, _ in s["values"] if float(t) >= since]
    assert firsts, f"{alertname}{labels} has not fired since {since}"
    return min(firsts)


def _about(record: Record, instance: str) -> bool:
    """Whether a notification (any sink) is about that instance."""
    return f"instance={instance}" in str(record)


def test_memory_pages_pagerduty_as_critical_at_once_and_resolves_the_same_incident(live: LiveClient,
                                                                                   memory_fault: float) -> None:
    injected = memory_fault
    live.wait_alert("MemoryHigh", timeout=60, **SIMULATED_HOST)  # at most 24 s after the fault at 60x (obsgen latency)
    fired = _fired_at(live, "MemoryHigh", injected, **SIMULATED_HOST)
    trigger = live.notified("/webhook/v2/enqueue", "MemoryHigh", timeout=10, after=injected, **SIMULATED_HOST)
    event = trigger["body"]
    print(f"\nMemoryHigh firing -> PagerDuty: {trigger['received'] - fired:.2f} s (group_wait 0s); event {event}")
    assert trigger["answered"] == 202 and event["event_action"] == "trigger"
    assert event["payload"]["severity"] == "critical"  # the emergency severity, as PagerDuty knows it
    assert event["payload"]["source"] == "simulated-host"
    # the title, then what it says, with the value that fired as Prometheus renders it
    title, said = event["payload"]["summary"].split(" — ")
    assert title == "[FIRING:1] EMERGENCY MemoryHigh instance=simulated-host job=node-simulated"
    shown = re.fullmatch(r"Memory on simulated-host (\d+\.\d)% used \(above 95%\)", said)
    assert shown is not None and 95 < float(shown.group(1)) <= 100, said
    assert trigger["received"] - fired < 1.0  # no cooldown: a critical alert waits 1 s at this scale
    live.mailed("oncall@company.com", "MemoryHigh", timeout=5, after=injected, **SIMULATED_HOST)

    cleared = live.clear(Fault.MEMORY)
    resolve = live.notified("/webhook/v2/enqueue", "MemoryHigh", status="resolved", timeout=30, after=cleared,
                            **SIMULATED_HOST)
    assert resolve["answered"] == 202 and resolve["body"]["dedup_key"] == event["dedup_key"]
    refused = [r for r in live.webhooks.records() if r["path"].endswith("/v2/enqueue") and r["answered"] == 400]
    assert refused == [], "PagerDuty would have refused these events"


def test_cpu_high_reaches_the_critical_route_escalates_1_2_3_and_resolves(live: LiveClient,
                                                                        cpu_fault: float) -> None:
    injected = cpu_fault
    live.wait_alert("CpuHigh", timeout=90, **SIMULATED_HOST)  # at most 46 s after the fault at 60x (obsgen latency)
    fired = _fired_at(live, "CpuHigh", injected, **SIMULATED_HOST)  # it may fire while the memory test runs
    pager = live.notified("/webhook/v2/enqueue", "CpuHigh", timeout=PLAN_TARGET, after=injected, **SIMULATED_HOST)
    assert pager["body"]["payload"]["severity"] == "critical" and pager["answered"] == 202
    slack = live.notified("/slack/alerts", "CpuHigh", timeout=5, after=injected, **SIMULATED_HOST)
    live.notified("/slack/ops", "CpuHigh", timeout=5, after=injected, **SIMULATED_HOST)
    mail = live.mailed("oncall@company.com", "CpuHigh", timeout=5, after=injected, **SIMULATED_HOST)
    print(f"\nCpuHigh firing -> PagerDuty: {pager['received'] - fired:.2f} s; subject {mail['subject']!r}")
    assert pager["received"] - fired < PLAN_TARGET
    assert slack["body"]["attachments"][0]["title"] == "[FIRING:1] CRITICAL CpuHigh instance=simulated-host"
    assert "/runbooks/CpuHigh.md" in mail["text"] and "viewPanel=panel-" in mail["text"]

    # escalation policy "default" at 60x: level 1 after 15 s, 2 after 30 s, 3 after 60 s of firing
    lead = live.mailed("team-lead@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
    manager = live.mailed("manager@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
    live.notified("/slack_urgent/ops-urgent", "CpuHigh", timeout=5, after=fired, escalation_level="2",
                  **SIMULATED_HOST)
    director = live.mailed("director@company.com", "CpuHigh", timeout=60, after=fired, **SIMULATED_HOST)
    # level 3's PagerDuty would be the director's receiver's other integration, which Alertmanager notifies together
    # with its email (notify.FanoutStage): 2 s for a local sink to record it. CpuHigh paged at once, one incident
    time.sleep(2)
    assert [r for r in live.webhooks.records() if r["path"] == "/webhook_pagerduty/v2/enqueue"
            and "CpuHigh" in r["body"]["payload"]["summary"]] == []
    assert lead["subject"].endswith("CpuHigh instance=simulated-host (escalation level 1)")
    climbed = [round(mail["received"] - fired, 1) for mail in (lead, manager, director)]
    print(f"escalation levels 1, 2, 3 reached after {climbed} s of firing")
    assert 14 < climbed[0] < climbed[1] < climbed[2]  # each level no sooner than its delay (15, 30, 60 s)
    assert climbed[1] >= 29 and climbed[2] >= 59

    cleared = live.clear(Fault.CPU, host=SIMULATED_HOST["instance"])
    resolved = live.notified("/webhook/v2/enqueue", "CpuHigh", status="resolved", timeout=40, after=cleared,
                             **SIMULATED_HOST)
    assert resolved["body"]["dedup_key"] == pager["body"]["dedup_key"]
    mail = live.mailed("oncall@company.com", "CpuHigh", status="resolved", timeout=5, after=cleared, **SIMULATED_HOST)
    assert "Resolved: every alert of this group has stopped firing." in mail["text"]


def test_conversion_drop_sends_a_warning_email_only_and_never_escalates(live: LiveClient,
                                                                        business_faults: float) -> None:
    mail = live.mailed("oncall@company.com", "ConversionRateLow", timeout=120, after=business_faults)
    assert "WARNING ConversionRateLow" in mail["subject"]
    shown = re.search(r"Conversion rate (\d+(?:\.\d+)?)% over 10 minutes \(below 5%\)", mail["text"])
    assert shown is not None and float(shown.group(1)) < 5, mail["text"]  # the ratio, as humanizePercentage shows it
    assert live.query("job:conversion_rate:ratio_rate10m < 0.05"), "the conversion rate should be below 5%"
    chat = [r for r in live.webhooks.records() if "ConversionRateLow" in str(r["body"])]
    assert chat == [], "a warning goes by email only"
    assert not live.query('ALERTS{alertname="ConversionRateLow",escalation_level!=""}'), "a warning does not climb"


def test_revenue_drop_against_the_backfilled_week_is_critical(live: LiveClient, business_faults: float) -> None:
    # the compressed week (7d / 60 = 2h48m) is history written before the stack started
    up_for = int(time.time() - live.stack.ready_at) + 60
    history = live.query(f"count_over_time(revenue_total[1h] offset {up_for}s)")
    assert history and float(history[0]["value"][1]) > 100, "no backfilled history of revenue_total"
    baseline = live.query("sum(job:revenue:increase1h_offset1w)")
    assert baseline and float(baseline[0]["value"][1]) > 0, "last week's hour should come from the backfilled week"
    live.notified("/slack/alerts", "RevenueDrop", timeout=120, after=business_faults, severity="critical")
    mail = live.mailed("oncall@company.com", "RevenueDrop", timeout=5, after=business_faults)
    assert re.search(r"Revenue of the last hour \d+(\.\d+)?k?, below half of the same hour last week",
                     mail["text"]), mail["text"]


def test_inhibition_mutes_the_lower_severity(live: LiveClient) -> None:
    labels = {"alertname": "InhibitionProbe", "instance": "probe-1"}
    alerts = [{"labels": {**labels, "severity": severity}, "annotations": {"summary": f"probe {severity}"}}
              for severity in ("warning", "critical")]
    sent = time.time()
    requests.post(live.stack.urls["alertmanager"] + "/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
    live.notified("/slack/alerts", "InhibitionProbe", timeout=30, after=sent, severity="critical")
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


def test_an_acknowledged_alert_stays_silent_through_its_ladder_and_resumes_when_the_ack_ends(
        live: LiveClient, acknowledged: Acknowledged) -> None:
    instance = SECOND_HOST["instance"]
    live.wait_alert("CpuHigh", timeout=90, **SECOND_HOST)
    time.sleep(max(0.0, acknowledged.injected + SILENT_FOR - time.time()))
    firing = {a["labels"].get("escalation_level", "") for a in live.alerts()
              if a["labels"]["alertname"] == "CpuHigh" and a["labels"].get("instance") == instance
              and a["state"] == "firing"}
    assert firing == {"", "1", "2", "3"}, "Prometheus keeps counting while the alert is acknowledged"
    heard = [r for r in [*live.webhooks.records(), *live.emails.records()] if _about(r, instance)]
    print(f"\nacknowledged CpuHigh on {instance}: {time.time() - acknowledged.injected:.0f} s since the fault, "
          f"levels {sorted(firing)} firing, {len(heard)} notifications about it")
    assert heard == []
    listed = obsgen(live, "ack", "--list")
    assert acknowledged.silence in listed.stdout and 'instance="simulated-host-2"' in listed.stdout

    ended = time.time()
    assert obsgen(live, "ack", "--expire", acknowledged.silence).returncode == 0
    resumed = [live.mailed(to, "CpuHigh", timeout=RESUMED_WITHIN, after=ended, **SECOND_HOST)
               for to in ("oncall@company.com", "team-lead@company.com", "manager@company.com", "director@company.com")]
    live.notified("/webhook/v2/enqueue", "CpuHigh", timeout=5, after=ended, **SECOND_HOST)  # its one incident
    print(f"after the ack ended: alert and levels 1-3 notified within "
          f"{max(r['received'] for r in resumed) - ended:.1f} s")
    assert max(r["received"] for r in resumed) - ended < RESUMED_WITHIN

    first_host = live.mailed("oncall@company.com", "CpuHigh", timeout=0, instance=SIMULATED_HOST["instance"])
    print(f"two hosts' subjects: {first_host['subject']!r} / {resumed[0]['subject']!r}")
    assert first_host["subject"] != resumed[0]["subject"]
