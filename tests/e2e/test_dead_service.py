"""The demo service killed on a stack of its own (60x): the api job's targets and the simulated hosts' (which the demo
serves too) go down. Each SLO reading the api job (checkout availability, api latency) pages once with its
SLIAbsent; TargetDown of the api job fires in Prometheus and nobody is told while the pages fire; TargetDown of the
simulated hosts' job, another outage, is told.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from generator.live.client import LiveClient, email_matches
from generator.live.stack import kill
from tests.e2e.conftest import own_stack

ONCALL = "oncall@company.com"
ABSENT = "CheckoutAvailabilitySLIAbsent"
PAGES = (ABSENT, "ApiLatencySLIAbsent")
"""The absent alerts of the SLOs whose inputs the api job exposes."""


@pytest.fixture(scope="module")
def dead(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveClient, float]]:
    with own_stack(tmp_path_factory.mktemp("dead-service")) as live:
        killed = kill(live.stack, "demo")
        live.wait_alert("TargetDown", timeout=90, job="api")
        live.wait_alert("TargetDown", timeout=30, job="node-simulated")
        live.mailed(ONCALL, "TargetDown", timeout=60, after=killed, job="node-simulated")
        time.sleep(15)  # several of the warning route's group intervals (5 s at 60x)
        yield live, killed


def _mails(live: LiveClient, alertname: str, after: float, **labels: str) -> list[str]:
    match = email_matches(ONCALL, alertname, "firing", after, labels)
    return [record["subject"] for record in live.emails.records() if match(record)]


@pytest.mark.parametrize("alertname", PAGES)
def test_each_slo_of_the_dead_service_pages_once(dead: tuple[LiveClient, float], alertname: str) -> None:
    live, killed = dead
    pages = [subject for subject in _mails(live, alertname, killed) if "escalation level" not in subject]
    assert len(pages) == 1, pages


def test_its_target_down_fires_untold_while_the_page_fires(dead: tuple[LiveClient, float]) -> None:
    live, killed = dead
    live.wait_alert(ABSENT, timeout=0)
    assert _mails(live, "TargetDown", killed, job="api") == []


def test_another_jobs_target_down_is_told(dead: tuple[LiveClient, float]) -> None:
    live, killed = dead
    assert len(_mails(live, "TargetDown", killed, job="node-simulated")) >= 1
