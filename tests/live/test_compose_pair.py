"""stacks/docker-compose.yml restores alerts' `for` state as the definitions need, and runs the Alertmanager pair."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.derive.for_state import for_state
from generator.model.project import Project

COMPOSE = Path(__file__).resolve().parents[2] / "stacks/docker-compose.yml"


def _services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def test_prometheus_restores_for_state_with_the_flags_derived_from_the_definitions(project: Project) -> None:
    command = _services()["prometheus"]["command"]
    assert [flag for flag in command if flag.startswith("--rules.alert.for-")] == for_state(project).flags()


def test_every_alertmanager_prometheus_sends_to_is_a_peer_of_the_others_with_its_own_storage(
        project: Project) -> None:
    services = _services()
    hosts = [address.split(":")[0] for address in project.stack.alertmanagers]
    assert len(hosts) == 2
    volumes = set()
    for host in hosts:
        command = services[host]["command"]
        peers = {flag.removeprefix("--cluster.peer=").split(":")[0] for flag in command
                 if flag.startswith("--cluster.peer=")}
        assert peers == set(hosts) - {host}
        assert "--cluster.listen-address=0.0.0.0:9094" in command
        volumes |= {v for v in services[host]["volumes"] if v.endswith(":/alertmanager")}
    assert len(volumes) == 2, "each Alertmanager keeps its own notification log and silences"
