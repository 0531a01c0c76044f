"""A stack of its own (60x) for three stories that each need one but not its whole life; a stack start is about 20 s
of CI, so they share it, in this order:

1. It is started while one of its ports is taken: `obsgen up` chooses its free ports before the first server starts,
   and another process (another stack, a test's server) may take one in the seconds until its server binds it. The
   start is tried again on ports chosen anew, not failed (CI once lost a pair of Alertmanagers to a gossip port taken
   that way).
2. Its notifications link to the Alertmanager it runs: `obsgen up` starts Debian's prometheus-alertmanager and builds
   the links for that release's UI (what `--version` prints), not for the one the definitions' Stack declares. A tab
   in a label value is where the two differ: 0.32.0's UI decodes \\t, an earlier one keeps it as written.
3. Its demo service is killed (last: the stack is not whole after it) once the stack has run a while, as a service
   dies in a running demo: the api job's targets and the simulated hosts' (which the demo serves too) go down. The
   SLOs reading the api job (checkout availability, api latency) both fire their SLIAbsent, and on-call gets one page
   for the job naming both; TargetDown of the api job fires in Prometheus after the page, and nobody is told while
   the page fires; TargetDown of the simulated hosts' job, another outage, is told. RevenueDrop of the api job (its
   revenue_total gone reads 0) fires later, muted by JobDown of the job (every target down; it tells nobody): one
   page for the dead job, not two.
"""

from __future__ import annotations

import html
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from generator.live import releases, stack
from generator.live.client import LiveClient, email_matches
from generator.live.ledger import SETTLE
from generator.live.running import kill
from generator.live.stack import Options
from generator.live.supervisor import Supervisor
from tests.alertmanager_ui import decoded_value, kept_value, ui_filter
from tests.e2e.conftest import external_labels, own_stack, routing
from tests.e2e.inhibition import rule_alert

ONCALL = "oncall@company.com"
ABSENT = "CheckoutAvailabilitySLIAbsent"
PAGES = (ABSENT, "ApiLatencySLIAbsent")
"""The absent alerts of the SLOs whose inputs the api job exposes."""
RUNNING = 20.0
"""Seconds the stack runs before its demo service is killed. Killed the moment the stack was up, TargetDown of the api
job fired 3.5 s before the page in one measured run, and the warning route's 5 s group_wait hid that the compressed
`for`s had the page last (20 s against 10 s): a service killed in a stack up for 20 s had TargetDown told 6 s before
the page (helpers' report-amrace)."""
REVENUE_DROP_WITHIN = 180.0
"""Seconds RevenueDrop of the dead api job may take to fire in Prometheus: its 1h window emptied and its 15m `for`,
compressed 60x, about 75 s after the kill, on a busy machine more."""
VALUE, NEIGHBOUR = "live\tlink", "live\\tlink"
"""An instance holding a tab, and one holding a backslash and a t where it has the tab."""


@pytest.fixture(scope="module")
def taken() -> Iterator[list[socket.socket]]:
    """The port another process takes after `up` chose it: the first start's webhook port, listened on before the
    sink binds it."""
    held: list[socket.socket] = []
    choose = stack._ports

    def taken_after_choice(options: Options) -> dict[str, int]:
        ports = choose(options)
        if not held:
            held.append(socket.create_server(("127.0.0.1", ports["webhook"])))
        return ports

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stack, "_ports", taken_after_choice)
        yield held
    for sock in held:
        sock.close()


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory, taken: list[socket.socket]) -> Iterator[LiveClient]:
    with own_stack(tmp_path_factory.mktemp("own")) as started:
        yield started


def test_a_port_taken_after_it_was_chosen_is_chosen_again_and_the_stack_comes_up(
        own: LiveClient, taken: list[socket.socket]) -> None:
    live = own
    held = taken[0].getsockname()[1]
    assert live.stack.urls["webhook-sink"] != f"http://127.0.0.1:{held}"
    names = [process.name for process in Supervisor.load(live.stack.state_dir).running()]
    assert {"webhook-sink", "alertmanager", "prometheus"} <= set(names) and len(names) == len(set(names))
    assert requests.get(live.stack.urls["prometheus"] + "/-/ready", timeout=10).status_code == 200
    assert "address already in use" not in (live.stack.state_dir / "logs" / "webhook-sink.log").read_text()


def test_a_demo_notifications_silence_link_silences_exactly_its_alert_on_the_running_alertmanager(
        own: LiveClient) -> None:
    _follow_the_link(own)


def _follow_the_link(live: LiveClient) -> None:
    running = releases.installed()
    alertmanager = live.stack.urls["alertmanager"]
    posted = time.time()
    alerts = [{"labels": {"alertname": "CpuHigh", "severity": "critical", "instance": instance,
                          "escalation_policy": "default", "escalation_level": "1"}} for instance in (VALUE, NEIGHBOUR)]
    requests.post(f"{alertmanager}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
    mail = live.emails.wait_for(lambda record: record["received"] >= posted and "CpuHigh" in record["subject"]
                                and VALUE in record["subject"], 60)
    link = html.unescape(re.search(r'href="([^"]*#/silences/new[^"]*)"', mail["html"])[1])  # type: ignore[index]
    read = decoded_value if tuple(map(int, running.split("."))) >= (0, 32, 0) else kept_value
    form = dict(map(read, ui_filter(link, alertmanager, "silences/new")))
    assert form == {"alertname": "CpuHigh", "instance": VALUE}, (running, link)
    created = requests.post(f"{alertmanager}/api/v2/silences", timeout=10, json={
        "matchers": [{"name": name, "value": value, "isRegex": False, "isEqual": True} for name, value in form.items()],
        "startsAt": "2024-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z", "createdBy": "test",
        "comment": "the link's silence"})
    created.raise_for_status()
    silence = created.json()["silenceID"]
    try:
        shown = requests.get(f"{alertmanager}/api/v2/alerts", params={"filter": 'alertname="CpuHigh"'}, timeout=10)
        silenced = {alert["labels"]["instance"] for alert in shown.json() if silence in alert["status"]["silencedBy"]}
        assert silenced == {VALUE}
    finally:
        requests.delete(f"{alertmanager}/api/v2/silence/{silence}", timeout=10).raise_for_status()


@dataclass(frozen=True)
class Dead:
    """The stack with its demo service killed."""

    live: LiveClient
    killed: float
    first_firing: dict[str, float]
    """Unix time Prometheus was first seen firing the page (any of PAGES) and TargetDown of the api job."""


def _firing_order(live: LiveClient, timeout: float) -> dict[str, float]:
    """When the page and TargetDown{job="api"} were first seen firing, read from one listing of Prometheus' alerts at a
    time, so the order of the two is the order Prometheus fired them in (to within one poll)."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < 2:
        assert time.monotonic() < deadline, f"not both firing within {timeout}s: {seen}"
        now = time.time()
        for alert in live.alerts():
            labels = alert["labels"]
            name = "page" if labels["alertname"] in PAGES else "TargetDown" if labels["alertname"] == "TargetDown" \
                and labels.get("job") == "api" else ""
            if name and alert["state"] == "firing":
                seen.setdefault(name, now)
        time.sleep(0.1)
    return seen


@pytest.fixture(scope="module")
def dead(own: LiveClient) -> Dead:
    live = own
    time.sleep(max(0.0, live.stack.ready_at + RUNNING - time.time()))
    killed = kill(live.stack, "demo")
    first_firing = _firing_order(live, timeout=90)
    live.wait_alert("TargetDown", timeout=30, job="node-simulated")
    live.mailed(ONCALL, "TargetDown", timeout=60, after=killed, job="node-simulated")
    time.sleep(max(0.0, first_firing["TargetDown"] + _told_within(live) - time.time()))
    return Dead(live, killed, first_firing)


def _told_within(live: LiveClient) -> float:
    """Seconds after TargetDown of the api job fires by which its route (the warning one, as the stack built it)
    would have mailed it unmuted: its group (its job and instance alone) is new, so its first flush, group_wait
    after Prometheus sends it as it fires, decides; and the ledger's SETTLE for the send, the mail and a busy
    machine."""
    deliveries = routing(live).deliveries({**rule_alert("TargetDown", external_labels(live)), "job": "api"})
    return max(delivery.group_wait for delivery in deliveries) + SETTLE


def _mails(live: LiveClient, alertname: str, after: float, **labels: str) -> list[str]:
    match = email_matches(ONCALL, alertname, "firing", after, labels)
    return [record["subject"] for record in live.emails.records() if match(record)]


def test_the_dead_job_pages_once_naming_each_of_its_slos(dead: Dead) -> None:
    live, killed = dead.live, dead.killed
    pages = [record for record in live.emails.records()
             if any(email_matches(ONCALL, name, "firing", killed, {})(record) for name in PAGES)
             and "escalation level" not in record["subject"]]
    assert len(pages) == 1, [page["subject"] for page in pages]
    subject = pages[0]["subject"].split()
    assert set(PAGES) <= set(subject) and "job=api" in subject, subject
    assert "obsgen ack job=api platform=ecommerce-rag sli=absent --alertmanager-url" in pages[0]["text"]  # the job's
    # pages, every level, of this stack alone (its Prometheus' external label)


def test_its_page_fires_before_its_target_down(dead: Dead) -> None:
    """The inhibit rule mutes TargetDown at its group's flush only if the page is there first: the compressed `for`s
    keep the definitions' order (2m before 10m), whatever the floor makes of 2m."""
    page, target_down = dead.first_firing["page"], dead.first_firing["TargetDown"]
    print(f"\nthe api job killed: page firing after {page - dead.killed:.1f} s, its TargetDown after "
          f"{target_down - dead.killed:.1f} s")
    assert page < target_down, dead.first_firing


def test_its_target_down_fires_untold_while_the_page_fires(dead: Dead) -> None:
    live, killed = dead.live, dead.killed
    live.wait_alert(ABSENT, timeout=0)
    assert _mails(live, "TargetDown", killed, job="api") == []


def test_another_jobs_target_down_is_told(dead: Dead) -> None:
    live, killed = dead.live, dead.killed
    assert len(_mails(live, "TargetDown", killed, job="node-simulated")) >= 1


def test_its_revenue_drop_fires_and_pages_nobody_while_the_page_fires(dead: Dead) -> None:
    """revenue_total gone reads 0 to RevenueDrop of the api job, which fires (its hour emptied, its `for` held)
    while the absent page and JobDown fire: it stays in Prometheus and Alertmanager, muted by JobDown, and on-call
    is not paged again; JobDown itself tells nobody."""
    live, killed = dead.live, dead.killed
    fired = live.wait_alert("RevenueDrop", timeout=REVENUE_DROP_WITHIN, job="api")
    print(f"\nthe api job killed: RevenueDrop firing after {fired - killed:.1f} s")
    live.wait_alert("JobDown", timeout=0, job="api")  # firing already: it mutes RevenueDrop from its first send
    live.wait_alert(ABSENT, timeout=0)
    time.sleep(max(0.0, fired + _told_within(live) - time.time()))
    assert _mails(live, "RevenueDrop", killed, job="api") == []
    assert _mails(live, "JobDown", killed) == []
