"""Servers restarted in the middle of an incident: no page lost, none sent twice, the escalation ladder keeps its clock.

One CpuHigh incident on a stack of its own (60x: escalation level 1 after 15 s of firing, level 2 after 30 s).
Prometheus restarts between levels 1 and 2 (its `for` state restored from ALERTS_FOR_STATE), and the exporter
after it, Alertmanager restarts after level 2 (notification log and silences from its data directory); the
fault clears and CpuHigh resolves. The ledger then compares what each episode Prometheus recorded owed
every integration with what the sinks received.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import requests

from generator.apply.http import Api, Connection
from generator.apply.silences import Matcher, acknowledge, silences
from generator.live.client import LiveClient
from generator.live.demo.faults import Fault
from generator.live.ledger import SETTLE, Episode, Tally, account, episodes
from generator.live.running import restart
from tests.e2e.conftest import SIMULATED_HOST, own_stack, routing


@dataclass
class Incident:
    """What happened, when (time.time())."""

    live: LiveClient
    fired: float
    restarted: dict[str, float]
    level2: float
    silence: str
    tallies: list[Tally]


def silence(alertmanager: str, alertname: str) -> str:
    """Silence an alert name for an hour on one Alertmanager, as `obsgen ack` does; returns the silence id."""
    return acknowledge(Api(Connection("alertmanager", alertmanager)), [Matcher("alertname", alertname)],
                       timedelta(hours=1), "tests/e2e", "a silence must survive restarts and reach peers")


def _cpu_episodes(live: LiveClient, since: float, until: float) -> list[Episode]:
    return [e for e in episodes(live.stack.urls["prometheus"], since, until, bridge=4 * live.stack.resend_delay)
            if e.name.startswith("CpuHigh") and e.labels.get("instance") == SIMULATED_HOST["instance"]]


def settled_tallies(live: LiveClient, since: float, timeout: float = 60) -> list[Tally]:
    """The ledger of the simulated host's CpuHigh and its escalations since `since` once it owes every resolved
    notification, so a second one would count as a duplicate: each episode read as ended (a bridge of four resend
    delays past its last firing sample) and its routes' group_interval and the ledger's SETTLE past its end."""
    routes, deadline = routing(live), time.monotonic() + timeout
    while not (found := _cpu_episodes(live, since, time.time())) or any(e.end is None for e in found):
        assert time.monotonic() < deadline, f"CpuHigh not ended within {timeout}s: {found}"
        time.sleep(0.5)
    owed = max((e.end or 0.0) + max(d.group_interval for d in routes.deliveries(e.labels)) + SETTLE for e in found)
    time.sleep(max(0.0, owed - time.time()))
    return cpu_tallies(live, since)


def cpu_tallies(live: LiveClient, since: float) -> list[Tally]:
    """The ledger of the simulated host's CpuHigh and its escalations since `since`."""
    until = time.time()
    found = _cpu_episodes(live, since, until)
    tallies = account(found, routing(live), live.webhooks.records() + live.emails.records(), until)
    for tally in tallies:
        print(f"{tally.episode.name:<18} {':'.join(tally.integration):<34} firing {tally.received_firing}/"
              f"{tally.expected_firing} resolved {tally.received_resolved}/{tally.expected_resolved}")
    return tallies


def assert_every_page_once(tallies: list[Tally], owed_at_least: int) -> None:
    """The ledger owes at least that many notifications, and none is lost or came twice."""
    assert sum(t.expected_firing + t.expected_resolved for t in tallies) >= owed_at_least
    assert [t for t in tallies if t.lost] == []
    assert [t for t in tallies if t.duplicated] == []


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Incident]:
    with own_stack(tmp_path_factory.mktemp("restarts")) as live:
        restarted: dict[str, float] = {}
        injected = live.inject(Fault.CPU)
        fired = live.wait_alert("CpuHigh", timeout=90, **SIMULATED_HOST)  # at most 46 s at 60x
        live.mailed("team-lead@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
        restarted["prometheus"] = restart(live.stack, "prometheus")
        restarted["exporter"] = restart(live.stack, "exporter")  # off the alerts' path: while level 2 is due
        level2 = live.mailed("manager@company.com", "CpuHigh", timeout=40, after=fired, **SIMULATED_HOST)
        silenced = silence(live.stack.urls["alertmanager"], "RestartProbe")
        restarted["alertmanager"] = restart(live.stack, "alertmanager")
        # CpuHigh fires on past the clear (its keep_firing_for, 5 s), and the ledger counts firing notifications until
        # group_wait + SETTLE after it ends: a page the restarted Alertmanager sent again would be counted
        cleared = live.clear(Fault.CPU)
        live.notified("/webhook/v2/enqueue", "CpuHigh", status="resolved", timeout=40, after=cleared,
                      **SIMULATED_HOST)
        print(f"\nfired {fired - injected:.1f} s after the fault; restarts at "
              + ", ".join(f"{name} {at - fired:.1f} s" for name, at in restarted.items()) + " after firing")
        yield Incident(live, fired, restarted, level2["received"], silenced, settled_tallies(live, injected))


def test_a_prometheus_restart_mid_escalation_keeps_the_ladder_on_its_clock(incident: Incident) -> None:
    """Read from Prometheus' own timestamps, not timed on the test machine's clock: the restarted Prometheus
    restored level 2's pending state (ALERTS_FOR_STATE, its activeAt) from before it started; a ladder started again
    would be active since one of the new process's evaluations, after its start."""
    prometheus = incident.live.stack.urls["prometheus"]
    runtime = requests.get(f"{prometheus}/api/v1/status/runtimeinfo", timeout=10).json()["data"]
    began = datetime.fromisoformat(runtime["startTime"].replace("Z", "+00:00")).timestamp()
    selector = ",".join(f'{k}="{v}"' for k, v in {"alertname": "CpuHigh", "escalation_level": "2",
                                                   **SIMULATED_HOST}.items())
    answer = requests.get(f"{prometheus}/api/v1/query", timeout=10, params={  # its samples, without lookback
        "query": f"ALERTS_FOR_STATE{{{selector}}}[{math.ceil(incident.level2 - began) + 1}s]",
        "time": str(incident.level2)}).json()
    active = sorted({float(value) for series in answer["data"]["result"] for at, value in series["values"]
                     if at >= began})
    print(f"\nlevel 2 active since {began - active[0]:.0f} s before the restarted Prometheus started, "
          f"{incident.level2 - incident.fired:.1f} s after firing" if active else f"\n{answer}")
    assert len(active) == 1, answer  # one episode, as the restarted Prometheus evaluated it
    assert active[0] < math.floor(began)  # ALERTS_FOR_STATE holds whole seconds
    assert incident.restarted["prometheus"] < incident.level2  # and level 2 came after the restart


def test_restarting_prometheus_alertmanager_and_the_exporter_loses_and_duplicates_no_page(incident: Incident) -> None:
    # firing and resolved at the critical route's three integrations, levels 1 and 2 at theirs
    assert_every_page_once(incident.tallies, owed_at_least=9)


def test_an_alertmanager_restart_keeps_its_silences(incident: Incident) -> None:
    found = silences(Api(Connection("alertmanager", incident.live.stack.urls["alertmanager"])))
    kept = [s for s in found if s.id == incident.silence]
    assert kept and kept[0].state == "active"


def test_the_restarted_exporter_serves_again_and_prometheus_scrapes_it(incident: Incident) -> None:
    live = incident.live
    body = requests.get(live.stack.urls["exporter"] + "/metrics", timeout=10).text
    assert "obsgen_query_runs_total" in body
    instance = live.stack.urls["exporter"].removeprefix("http://")
    deadline = time.monotonic() + 20
    while not live.query(f'up{{instance="{instance}"}} == 1'):
        assert time.monotonic() < deadline, "Prometheus does not scrape the restarted exporter"
        time.sleep(0.5)

