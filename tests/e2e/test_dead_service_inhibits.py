"""The api job dead, on the real Alertmanager with the shipped routes and inhibit rules: its SLOs' absent pages are
told, TargetDown of the api job waits while one fires (one cause, one notification), TargetDown of any other job or
stack is told, and once the page resolves with the api job still down its TargetDown is told.
"""

from __future__ import annotations

import pytest

from tests.e2e.inhibition import Sink, assert_muted_until_resolved, assert_not_muted_by, post, until

PLATFORM = {"platform": "ecommerce-rag"}
CHECKOUT_ABSENT = {"alertname": "CheckoutAvailabilitySLIAbsent", "severity": "critical", "escalation_policy": "default",
                   "service": "checkout", "slo": "availability", **PLATFORM}
LATENCY_ABSENT = {"alertname": "ApiLatencySLIAbsent", "severity": "critical", "escalation_policy": "default",
                  "service": "api", "slo": "latency", **PLATFORM}
API_DOWN = {"alertname": "TargetDown", "job": "api", "severity": "warning", **PLATFORM}
NODE_DOWN = {**API_DOWN, "job": "node"}


@pytest.mark.parametrize("page", [CHECKOUT_ABSENT, LATENCY_ABSENT, {**CHECKOUT_ABSENT, "escalation_level": "1"}],
                         ids=["checkout availability", "api latency", "an escalation copy"])
def test_an_absent_page_mutes_its_jobs_target_down_until_it_resolves(
        inhibiting_alertmanager: tuple[str, Sink], page: dict[str, str]) -> None:
    url, sink = inhibiting_alertmanager
    posted = post(url, page, API_DOWN, NODE_DOWN)
    assert until(lambda: sink.seen(page) and sink.seen(NODE_DOWN))  # another job down is another outage
    assert_muted_until_resolved(url, sink, page, API_DOWN, posted)  # the page over, the job still down: now it is news


@pytest.mark.parametrize("down", [NODE_DOWN, {**API_DOWN, "platform": "another-stack"}],
                         ids=["another job down", "another stack's api down"])
def test_the_page_mutes_no_other_target_down(inhibiting_alertmanager: tuple[str, Sink], down: dict[str, str]) -> None:
    assert_not_muted_by(*inhibiting_alertmanager, CHECKOUT_ABSENT, down)


def test_target_down_mutes_no_page(inhibiting_alertmanager: tuple[str, Sink]) -> None:
    assert_not_muted_by(*inhibiting_alertmanager, API_DOWN, CHECKOUT_ABSENT)
