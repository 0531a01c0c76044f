"""Two Alertmanagers clustered on loopback, Prometheus sending to both: one is killed mid-incident.

The pair shares its notification log and silences by gossip: whichever sends a notification first, the
other finds it in the log and sends nothing; with one dead, the survivor sends alone. A silence set on the
one killed holds on the survivor.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.ledger import Tally
from generator.live.running import kill
from tests.e2e.conftest import SIMULATED_HOST, own_stack
from tests.e2e.test_restarts import assert_every_page_once, settled_tallies, silence

QUIET = 4.0
"""Seconds between a notification and the kill: an Alertmanager killed within a gossip interval of sending
has not told its peer yet, and the peer sends again (Alertmanager's pair delivers at least once)."""


@dataclass
class PairIncident:
    """The incident on the pair, and what the ledger found."""

    live: LiveClient
    survivor: str
    silence: str
    tallies: list[Tally]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PairIncident]:
    with own_stack(tmp_path_factory.mktemp("pair"), alertmanagers=2) as live:
        victim, survivor = live.stack.alertmanagers
        silenced = silence(live.stack.urls[victim], "PairProbe")
        injected = live.inject(Fault.CPU)
        fired = live.wait_alert("CpuHigh", timeout=90, **SIMULATED_HOST)  # at most 46 s at 60x
        live.notified("/webhook/v2/enqueue", "CpuHigh", timeout=30, after=injected, **SIMULATED_HOST)
        time.sleep(QUIET)
        killed = kill(live.stack, victim)
        lead = live.mailed("team-lead@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
        print(f"\n{victim} killed {killed - fired:.1f} s after CpuHigh fired; level 1 through {survivor} "
              f"{lead['received'] - fired:.1f} s after firing")
        # cleared at once: CpuHigh, and level 1 with it, fires on for its keep_firing_for (5 s) past the clear, more
        # than the ledger's SETTLE past level 1's flush, so level 1 is still owed
        cleared = live.clear(Fault.CPU)
        live.notified("/webhook/v2/enqueue", "CpuHigh", status="resolved", timeout=40, after=cleared,
                      **SIMULATED_HOST)
        # settled, the ledger reads past the resolved notification's flush and the survivor's peer timeout (2 s): a
        # duplicate would have arrived
        yield PairIncident(live, survivor, silenced, settled_tallies(live, injected))


def test_a_killed_alertmanager_of_a_pair_loses_and_duplicates_no_page(pair: PairIncident) -> None:
    # firing and resolved at the critical route's three integrations, level 1 at its own
    assert_every_page_once(pair.tallies, owed_at_least=7)


def test_a_silence_set_on_one_alertmanager_holds_on_the_other(pair: PairIncident) -> None:
    survivor = pair.live.stack.urls[pair.survivor]
    probe = [{"labels": {"alertname": "PairProbe", "severity": "critical", "instance": "probe-1"},
              "annotations": {"summary": "silenced on the peer"}}]
    requests.post(f"{survivor}/api/v2/alerts", json=probe, timeout=10).raise_for_status()
    deadline = time.monotonic() + 20
    while True:
        found = requests.get(f"{survivor}/api/v2/alerts", params={"filter": 'alertname="PairProbe"'},
                             timeout=10).json()
        if (found and found[0]["status"]["state"] == "suppressed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found and found[0]["status"]["silencedBy"] == [pair.silence]
    assert not [r for r in pair.live.webhooks.records() if r["body"].get("commonLabels", {}).get(
        "alertname") == "PairProbe"]
