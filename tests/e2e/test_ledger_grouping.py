"""The notification ledger of a dead job's SLIAbsent pages, grouped by job: one Slack message tells both, the next
one (still FIRING, naming both) tells the first resolved, the last one (RESOLVED) the second. On a real Prometheus and
Alertmanager with the shipped routes and templates, Slack's messages posted to a local sink.
"""

from __future__ import annotations

from typing import Any

import pytest

from generator.live.ledger import Tally
from tests.e2e.ledger_run import ledger, of

PAGE = {"severity": "critical", "escalation_policy": "default", "sli": "absent", "job": "api"}
CHECKOUT = ("CheckoutAvailabilitySLIAbsent", {**PAGE, "service": "checkout", "slo": "availability"}, 8)
LATENCY = ("ApiLatencySLIAbsent", {**PAGE, "service": "api", "slo": "latency"}, 20)


def slack_to_sink(receivers: list[dict[str, Any]], sink: str) -> list[dict[str, Any]]:
    """Slack's integrations posting their messages to the sink at /<channel>; the others one webhook to it."""
    def kept(receiver: dict[str, Any]) -> dict[str, Any]:
        slack = [{**{k: v for k, v in config.items() if k != "api_url_file"},
                  "api_url": f"{sink}/{config['channel'].lstrip('#')}"} for config in receiver.get("slack_configs", [])]
        others = set(receiver) - {"name", "slack_configs"}
        return {"name": receiver["name"], **({"slack_configs": slack} if slack else {}),
                **({"webhook_configs": [{"url": f"{sink}/{receiver['name']}"}]} if others else {})}
    return [kept(receiver) for receiver in receivers]


@pytest.fixture(scope="module")
def tallies(tmp_path_factory: pytest.TempPathFactory) -> list[Tally]:
    return ledger(tmp_path_factory.mktemp("ledger-grouping"), [CHECKOUT, LATENCY], receivers=slack_to_sink)


def test_both_pages_reach_slack_and_the_webhook(tallies: list[Tally]) -> None:
    assert {t.integration for t in tallies} == {("webhook", "/alerts"), ("webhook", "/ops"),
                                                ("webhook", "/email-slack")}


@pytest.mark.parametrize("alert", [CHECKOUT, LATENCY], ids=["resolved first", "resolved last"])
def test_each_page_is_told_firing_and_resolved_once_in_its_groups_messages(
        tallies: list[Tally], alert: tuple[str, dict[str, str], int]) -> None:
    found = of(tallies, alert[0], alert[1])
    assert len(found) == 3 and all((t.expected_firing, t.expected_resolved, t.lost, t.duplicated) == (1, 1, 0, 0)
                                   for t in found), found
