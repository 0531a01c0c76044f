"""A heartbeat's route takes its own stack's alert alone: the edge cases of the stack's external labels."""

from __future__ import annotations

import dataclasses
from typing import Any

from generator.analysis.delivery import deliveries
from generator.analysis.latency import generated_routes
from generator.model import Alert
from generator.model.project import Project
from generator.targets import alertmanager, route_tests


def _with(project: Project, external_labels: dict[str, str], **watchdog: Any) -> Project:
    """The shipped project with these external labels, its Watchdog changed as given."""
    objects = tuple(obj.model_copy(update=watchdog) if isinstance(obj, Alert) and obj.name == "Watchdog" else obj
                    for obj in project.objects)
    stack = project.stack.model_copy(update={"external_labels": external_labels})
    return dataclasses.replace(project, stack=stack, objects=objects)


def _watchdog_routes(project: Project) -> list[tuple[str, list[str]]]:
    return [(route["receiver"], route["matchers"]) for route in alertmanager.config(project)["route"]["routes"]
            if 'alertname="Watchdog"' in route["matchers"]]


def _receiver(project: Project, labels: dict[str, str]) -> str:
    return deliveries(generated_routes(project), {"alertname": "Watchdog", "severity": "info", **labels})[0].receiver


def test_without_external_labels_the_one_route_takes_every_watchdog(project: Project) -> None:
    bare = _with(project, {})
    assert _watchdog_routes(bare) == [("deadman", ['alertname="Watchdog"'])]
    assert [case["name"] for case in route_tests.expectations(bare) if "another stack" in case["name"]] == []


def test_each_external_label_is_matched_and_a_quote_in_its_value_escaped(project: Project) -> None:
    labelled = _with(project, {"region": 'eu "1"', "platform": "shop"})
    assert _watchdog_routes(labelled) == [
        ("deadman", ['alertname="Watchdog"', 'platform="shop"', 'region="eu \\"1\\""']),
        ("null", ['alertname="Watchdog"'])]
    assert _receiver(labelled, {"platform": "shop", "region": 'eu "1"'}) == "deadman"
    assert _receiver(labelled, {"platform": "shop", "region": "us"}) == "null"


def test_the_alerts_own_label_keeps_its_value_and_a_templated_one_is_not_matched(project: Project) -> None:
    """Prometheus adds an external label only to an alert that lacks it (notifier.go)."""
    own = _with(project, {"platform": "shop"}, labels={"platform": "shop-canary"})
    assert _watchdog_routes(own)[0] == ("deadman", ['alertname="Watchdog"', 'platform="shop-canary"'])
    templated = _with(project, {"platform": "shop", "team": "a"}, labels={"platform": "{{ $labels.p }}"})
    assert _watchdog_routes(templated)[0] == ("deadman", ['alertname="Watchdog"', 'team="a"'])
    expected = {case["name"]: case for case in route_tests.expectations(templated)}
    assert expected["Watchdog of another stack (team=other-than-a) reaches nobody"]["receiver"] == "null"
