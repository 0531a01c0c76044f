"""One alert, one PagerDuty incident, on a real Alertmanager with the shipped routes, PagerDuty's integrations posting
their Events API v2 events to a sink: Alertmanager's dedup_key is the hash of the notification's group key, which
differs per route (prometheus/alertmanager#298), so an escalation level's PagerDuty would open a second incident for
an alert that already paged through its own channels (CpuHigh at critical, every emergency). Level 3 tells the
director by email then; an alert that did not page PagerDuty opens its one incident at level 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.inhibition import Sink, post, quiet_since, shipped_alertmanager, until

PLATFORM = {"platform": "ecommerce-rag"}
CPU_HIGH = {"alertname": "CpuHigh", "severity": "critical", "escalation_policy": "default",
            "instance": "host-1:9100", **PLATFORM}
EMERGENCY = {"alertname": "CheckoutDown", "severity": "emergency", "escalation_policy": "default",
             "service": "checkout", **PLATFORM}
SLO_PAGE = {"alertname": "CheckoutAvailabilityBudgetBurn1h", "severity": "critical", "escalation_policy": "default",
            "service": "checkout", "slo": "availability", "window": "1h", **PLATFORM}


@pytest.fixture
def paging_alertmanager(tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    """The shipped Alertmanager whose PagerDuty integrations stay PagerDuty's, posting to the sink."""
    with shipped_alertmanager(tmp_path, keep_pagerduty=True) as served:
        yield served


def _level(alert: dict[str, str], number: int) -> dict[str, str]:
    """The escalation rule's copy of the alert at a level, as Prometheus sends it."""
    return {**alert, "escalation_level": str(number)}


def _incidents(sink: Sink, alertname: str) -> set[tuple[str, str]]:
    """(routing key, dedup_key) of every incident the alert's trigger events opened: one per pair in PagerDuty."""
    with sink.lock:
        return {(event["routing_key"], event["dedup_key"]) for _, event in sink.pagerduty
                if event["event_action"] == "trigger" and alertname in event["payload"]["summary"]}


@pytest.mark.parametrize("alert", [CPU_HIGH, EMERGENCY], ids=["CpuHigh at critical", "an emergency"])
def test_level_3_opens_no_second_incident_for_an_alert_that_already_paged(
        paging_alertmanager: tuple[str, Sink], alert: dict[str, str]) -> None:
    url, sink = paging_alertmanager
    post(url, alert)
    assert until(lambda: len(_incidents(sink, alert["alertname"])) == 1)  # its own channels page at once
    climbed = post(url, alert, *(_level(alert, number) for number in (1, 2, 3)))  # an hour later, the ladder's copies
    assert until(lambda: sink.seen(_level(alert, 3)))  # the director is told (by email)
    quiet_since(climbed)  # the levels' groups have flushed: a second incident would have been sent by now
    assert len(_incidents(sink, alert["alertname"])) == 1, sink.pagerduty


def test_level_3_pages_an_alert_that_had_not_paged(paging_alertmanager: tuple[str, Sink]) -> None:
    url, sink = paging_alertmanager
    post(url, SLO_PAGE, *(_level(SLO_PAGE, number) for number in (1, 2)))
    assert until(lambda: sink.seen(_level(SLO_PAGE, 2)))
    assert _incidents(sink, SLO_PAGE["alertname"]) == set()  # email and Slack until level 3
    post(url, SLO_PAGE, *(_level(SLO_PAGE, number) for number in (1, 2, 3)))
    assert until(lambda: len(_incidents(sink, SLO_PAGE["alertname"])) == 1)
