"""Checkout's SLI inputs gone, on the real Alertmanager with the shipped routes and inhibit rules: the absent alert
is told whatever the SLO's burn-rate alerts do, and their resolution, which comes for want of inputs, is told too
(muted, it would never be sent: the page's incident would stay open for good, prometheus/alertmanager#2754).
"""

from __future__ import annotations

from tests.e2e.inhibition import Sink, assert_not_muted_by, post, status, until

SLO = {"service": "checkout", "slo": "availability", "platform": "ecommerce-rag"}
ABSENT = {"alertname": "CheckoutAvailabilitySLIAbsent", "severity": "critical", "escalation_policy": "default", **SLO}
PAGE = {"alertname": "CheckoutAvailabilityBudgetBurn1h", "severity": "critical", "escalation_policy": "default",
        "window": "1h", **SLO}
TICKET = {"alertname": "CheckoutAvailabilityBudgetBurn3d", "severity": "warning", "window": "3d", **SLO}


def test_no_burn_alert_of_its_slo_mutes_it(inhibiting_alertmanager: tuple[str, Sink]) -> None:
    url, sink = inhibiting_alertmanager
    assert_not_muted_by(url, sink, PAGE, ABSENT)  # the page mutes the SLO's tickets and longer pages, not it
    post(url, PAGE, TICKET)
    assert until(lambda: status(url, TICKET)["inhibitedBy"] != [])  # the page's own rule is at work meanwhile
    assert status(url, ABSENT)["inhibitedBy"] == []


def test_a_page_resolving_for_want_of_inputs_is_told_beside_the_absent_alert(
        inhibiting_alertmanager: tuple[str, Sink]) -> None:
    """The page was told; the inputs vanish and the absent alert fires before the page's short ratio empties
    (its `for` is half the short window, tests/slo/test_absent.py); the page's resolution follows, told."""
    url, sink = inhibiting_alertmanager
    post(url, PAGE)
    assert until(lambda: sink.seen(PAGE))
    post(url, ABSENT, PAGE)
    assert until(lambda: sink.seen(ABSENT)) and status(url, PAGE)["inhibitedBy"] == []
    post(url, ABSENT)
    post(url, PAGE, resolved=True)
    assert until(lambda: sink.seen(PAGE, resolved=True))
    assert status(url, ABSENT)["state"] == "active"
