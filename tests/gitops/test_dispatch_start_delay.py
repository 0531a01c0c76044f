"""Each Alertmanager obsgen ships (compose's pair, the Kubernetes resource) holds its first notifications after a
start until every ruler has re-sent its firing alerts, so an inhibited alert waits for the alert inhibiting it
(prometheus/alertmanager#4064; --dispatch.start-delay, 0.30.0)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import yaml

from generator.core.duration import format_seconds, parse_seconds
from generator.model import Kubernetes
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.project import Project
from generator.package.kubernetes import Rendered, servers
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import ROOT

RESEND_DELAY = 60.0  # Prometheus' --rules.alert.resend-delay and Loki's ruler's resend_delay: neither is set


def _shipped(path: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / path).read_text()))


def _longest_resend() -> str:
    """The longest wait for a re-send of a firing alert, from the rulers' shipped evaluation intervals: Prometheus
    re-sends at the first evaluation strictly after its last send plus the resend delay (rules/alerting.go
    needsSending), and Loki's ruler is the same rule manager."""
    intervals = [parse_seconds(_shipped("out/prometheus/prometheus.yml")["global"]["evaluation_interval"]),
                 parse_seconds(_shipped("out/loki/loki.yaml")["ruler"]["evaluation_interval"])]
    return format_seconds(max((math.floor(RESEND_DELAY / every) + 1) * every for every in intervals))


def test_compose_runs_both_alertmanagers_with_a_start_delay_covering_every_re_send(project: Project) -> None:
    services = _shipped("stacks/docker-compose.yml")["services"]
    hosts = [address.split(":")[0] for address in project.stack.alertmanagers]
    assert len(hosts) == 2
    for host in hosts:
        assert services[host]["image"] == f"prom/alertmanager:v{project.stack.alertmanager_version}"
        delays = [flag for flag in services[host]["command"] if flag.startswith("--dispatch.start-delay=")]
        assert delays == [f"--dispatch.start-delay={_longest_resend()}"], host
    assert _longest_resend() == "2m"  # Loki's ruler evaluates each minute: it re-sends every 2m, Prometheus 75s


def test_the_alertmanager_resource_passes_the_start_delay_to_each_replica(project: Project) -> None:
    alertmanager = _shipped("out/kubernetes/alertmanager/alertmanager.yaml")
    assert validate(alertmanager) == []  # additionalArgs: the operator passes them as --name=value
    assert alertmanager["spec"]["version"] == f"v{project.stack.alertmanager_version}"
    assert alertmanager["spec"]["additionalArgs"] == [{"name": "dispatch.start-delay", "value": _longest_resend()}]


def test_a_rolling_update_restarts_the_next_alertmanager_only_once_this_one_has_held_its_start_delay(
        project: Project) -> None:
    """The operator (0.88.0+) also derives the start delay from minReadySeconds; the StatefulSet controller restarts
    the next replica only once the restarted one has been ready that long: never both holding at once."""
    alertmanager = _shipped("out/kubernetes/alertmanager/alertmanager.yaml")
    assert validate(alertmanager) == []
    assert alertmanager["spec"]["minReadySeconds"] == parse_seconds(_longest_resend())
    assert alertmanager["spec"]["replicas"] == len(project.stack.alertmanagers) == 2


def test_an_alertmanager_before_0_30_is_not_given_the_flag_it_would_refuse(project: Project) -> None:
    """Alertmanager 0.29 and earlier exit on an unknown flag (kingpin): a Stack declaring one gets no delay."""
    stack = project.stack.model_copy(update={"alertmanager_version": "0.29.0"})
    rendered: Rendered = {PROMETHEUS_CONFIG: {"scrape_configs": []}}
    spec = next(document["spec"] for document in servers(replace(project, stack=stack), Kubernetes(),
                                                         rendered).values() if document["kind"] == "Alertmanager")
    assert spec["version"] == "v0.29.0"
    assert "additionalArgs" not in spec
    assert "minReadySeconds" not in spec  # no start delay to wait out: a roll-out goes at the pace it did


def test_the_configuration_guide_says_why_alertmanager_waits_after_a_restart() -> None:
    guide = " ".join((ROOT / "docs/configuration.md").read_text().split())
    assert "`--dispatch.start-delay`" in guide and "prometheus/alertmanager#4064" in guide
    assert "Alertmanager 0.30.0 and later" in guide

