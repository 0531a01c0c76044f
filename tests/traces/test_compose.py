"""stacks/docker-compose.yml: valid against the Compose specification, pinned, loopback-only, healthy."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no types; types-jsonschema is no dependency
import pytest
import yaml

from generator.model import TracingPolicy
from generator.model.project import Project
from generator.targets.otelcol import STORAGE_DIRECTORY
from tests.traces.conftest import ROOT

COMPOSE = ROOT / "stacks/docker-compose.yml"
# compose-spec/compose-spec, schema/compose-spec.json at commit 00655e2222608fa6eaecdf12ac5195889ca2244a
SCHEMA = json.loads((ROOT / "tests/schemas/compose-spec.json").read_text())
OUT_PARTS = ("prometheus", "alertmanager", "grafana/provisioning", "grafana/dashboards", "grafana/grafana.ini",
             "loki", "tempo", "otelcol", "exporter")
BUILT_BY_OTHERS = ("grafana/", "exporter")  # written by the Grafana and exporter targets, not present yet


@pytest.fixture
def compose() -> dict[str, Any]:
    """The compose document."""
    return dict(yaml.safe_load(COMPOSE.read_text()))


def test_the_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(compose)


def test_a_misspelt_key_fails_the_specification(compose: dict[str, Any]) -> None:
    compose["services"]["loki"]["helthcheck"] = compose["services"]["loki"].pop("healthcheck")
    errors = [e.message for e in jsonschema.Draft7Validator(SCHEMA).iter_errors(compose)]
    assert any("helthcheck" in message for message in errors)


def test_every_server_of_the_stack_is_there_with_a_pinned_image_and_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"prometheus", "alertmanager-1", "alertmanager-2", "grafana", "loki", "tempo",
                             "otel-collector", "node-exporter", "obsgen-exporter"}
    for name, service in services.items():
        images = [service["image"], service.get("build", {}).get("args", {}).get("BASE", service["image"])]
        for image in images:
            assert re.search(r":v?\d+\.\d+\.\d+$", image) or image.endswith(":local"), f"{name}: {image} not pinned"
        assert service["healthcheck"]["test"][0] == "CMD", name
    assert services["grafana"]["image"].startswith("grafana/grafana:12.")
    assert services["otel-collector"]["build"]["args"]["BASE"].startswith("otel/opentelemetry-collector-contrib:")
    assert services["tempo"]["build"]["args"]["BASE"].startswith("grafana/tempo:2.")
    assert services["loki"]["image"].startswith("grafana/loki:3.")


def test_ports_are_published_on_loopback_only(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_each_server_mounts_its_part_of_out(compose: dict[str, Any]) -> None:
    mounted = {volume.split(":")[0].removeprefix("../out/")
               for service in compose["services"].values() for volume in service.get("volumes", [])
               if volume.startswith("../out/")}
    assert mounted == {"prometheus", "alertmanager", "grafana/grafana.ini", "grafana/provisioning",
                       "grafana/dashboards", "loki/loki.yaml", "loki/rules", "tempo/tempo.yaml",
                       "otelcol/config.yaml", "exporter"}
    for part in mounted:
        if not part.startswith(BUILT_BY_OTHERS):
            assert (ROOT / "out" / part).exists(), f"out/{part} is mounted but not built"


def test_the_stack_matches_the_definitions(compose: dict[str, Any], project: Project) -> None:
    """Scrape targets resolve to compose services, and retention and memory agree with the definitions."""
    services = compose["services"]
    hosts = {target.split(":")[0] for job in project.scrape_jobs for target in job.targets}
    assert hosts - set(services) == {"localhost", "api"}  # Prometheus itself, and the application
    retention = project.retention
    assert retention is not None
    assert f"--storage.tsdb.retention.time={retention.server_retention}" in services["prometheus"]["command"]
    memory = project.all(TracingPolicy)[0].collector_memory_mib
    assert services["otel-collector"]["mem_limit"] == f"{memory // 1024}g"


def test_every_server_of_the_stack_is_scraped(compose: dict[str, Any], project: Project) -> None:
    """A service no job targets has no `up`: TargetDown cannot fire on it, none of its own metrics arrive."""
    hosts = {target.split(":")[0] for job in project.scrape_jobs for target in job.targets}
    assert sorted(set(compose["services"]) - hosts) == ["prometheus"]  # which scrapes itself at localhost


def test_the_collector_storage_is_a_volume_it_can_write(compose: dict[str, Any]) -> None:
    """file_storage's directory is a named volume, on a directory the collector's image gives its user."""
    collector = compose["services"]["otel-collector"]
    directory = STORAGE_DIRECTORY
    mounts = dict(reversed(volume.split(":")[:2]) for volume in collector["volumes"])
    assert mounts[directory] in compose["volumes"]
    assert collector["build"]["target"] == "collector"
    dockerfile = (ROOT / "stacks" / collector["build"]["dockerfile"]).read_text()
    assert f"--chown=10001:10001 /otelcol {directory.removesuffix('/file_storage')}" in dockerfile
