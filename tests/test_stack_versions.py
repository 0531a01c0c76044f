"""The compose stack runs the versions the targets generate for."""

from pathlib import Path

import yaml

from generator.core.releases import PROMETHEUS_VERSION
from generator.model.project import Project
from generator.model.stack import ALERTMANAGER_VERSION
from generator.targets.grafana import GRAFANA_VERSION

COMPOSE = Path(__file__).resolve().parents[1] / "stacks" / "docker-compose.yml"


def test_compose_pins_the_grafana_release_the_dashboards_are_written_for() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["grafana"]["image"] == f"grafana/grafana:{GRAFANA_VERSION}"


def test_compose_pins_the_alertmanager_release_the_stack_declares(project: Project) -> None:
    """The notifications' UI links are escaped for the declared release's UI (Stack.alertmanager_version)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    images = {services[name]["image"] for name in services if name.startswith("alertmanager")}
    assert images == {f"prom/alertmanager:v{ALERTMANAGER_VERSION}"}
    assert project.stack.alertmanager_version == ALERTMANAGER_VERSION


def test_compose_pins_the_prometheus_release_the_stack_declares(project: Project) -> None:
    """NT006 judges a Prometheus reload by the declared release (Stack.prometheus_version)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["prometheus"]["image"] == f"prom/prometheus:v{PROMETHEUS_VERSION}"
    assert project.stack.prometheus_version == PROMETHEUS_VERSION


def test_compose_mounts_dashboards_where_provisioning_looks() -> None:
    provider = yaml.safe_load((COMPOSE.parents[1] / "out/grafana/provisioning/dashboards/obsgen.yml").read_text())
    path = provider["providers"][0]["options"]["path"]
    assert any(volume.endswith(f":{path}:ro") for volume in
               yaml.safe_load(COMPOSE.read_text())["services"]["grafana"]["volumes"])
