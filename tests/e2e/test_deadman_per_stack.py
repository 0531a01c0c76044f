"""Two stacks sharing one Alertmanager: a stack's dead man's switch hears its own Watchdog alone.

Each Prometheus sends its always-firing Watchdog with its external labels (the shipped stack's
platform="ecommerce-rag"). Were the other stack's Watchdog to reach the shipped stack's deadman webhook, its pings
would go on while the shipped stack's Prometheus is dead, and the heartbeat service would never page. The shipped
routes send the other stack's Watchdog to the 'null' receiver (no integration: nobody), not on to a severity's.
"""

from __future__ import annotations

from typing import Any

import yaml

from tests.e2e.inhibition import OUT, Sink, post, quiet_since, rule_alert, until

HOME = {"platform": "ecommerce-rag"}
"""The shipped stack's external labels (out/prometheus/prometheus.yml)."""
OTHER = {"platform": "payments"}
"""Another stack's, whose Prometheus sends to the same Alertmanager."""
NOBODY = "null"
"""The receiver with no integration (in this test, like every receiver, a webhook to the sink)."""


def _watchdogs(sink: Sink) -> dict[str, list[str]]:
    """Per receiver, the platform of each Watchdog it was notified of, as Alertmanager posted them."""
    with sink.lock:
        bodies = list(sink.notifications)
    told: dict[str, list[str]] = {}
    for body in bodies:
        told.setdefault(body["receiver"], []).extend(
            alert["labels"]["platform"] for alert in body["alerts"] if alert["labels"]["alertname"] == "Watchdog")
    return {receiver: sorted(platforms) for receiver, platforms in told.items() if platforms}


def _shipped_receiver(name: str) -> dict[str, Any]:
    document = yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())
    return next(receiver for receiver in document["receivers"] if receiver["name"] == name)


def test_only_this_stacks_watchdog_pings_its_dead_mans_switch(inhibiting_alertmanager: tuple[str, Sink]) -> None:
    url, sink = inhibiting_alertmanager
    posted = post(url, rule_alert("Watchdog", HOME), rule_alert("Watchdog", OTHER))
    assert until(lambda: "deadman" in _watchdogs(sink))
    quiet_since(posted)  # both groups' first flushes (group_wait 1 s) have passed: the other Watchdog is told by now
    assert _watchdogs(sink) == {"deadman": [HOME["platform"]], NOBODY: [OTHER["platform"]]}


def test_another_stacks_watchdog_alone_pings_nothing_so_the_silent_stack_is_paged(
        inhibiting_alertmanager: tuple[str, Sink]) -> None:
    """This stack's Prometheus is dead (no Watchdog of its own): its heartbeat service hears nothing and pages."""
    url, sink = inhibiting_alertmanager
    posted = post(url, rule_alert("Watchdog", OTHER))
    assert until(lambda: bool(_watchdogs(sink)))
    quiet_since(posted)
    assert _watchdogs(sink) == {NOBODY: [OTHER["platform"]]}
    # in the shipped config that receiver notifies nobody: no person is told every few minutes either
    assert _shipped_receiver(NOBODY) == {"name": NOBODY}
