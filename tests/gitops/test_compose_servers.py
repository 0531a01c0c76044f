"""The real Prometheus and Alertmanager load out/ as compose gives it to them: a directory laid out like the
container's mounts (out/prometheus at /etc/prometheus...), the compose command's flags, ports on 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from tests import servers
from tests.gitops.compose_mounts import STACKS, compose_document
from tests.gitops.helpers import ROOT

UNSUPPORTED = ("--dispatch.start-delay", "--cluster.")
"""Flags Debian's Alertmanager 0.25 lacks (start delay, 0.30) or the test runs without (the pair's gossip)."""


def _container(service: dict[str, Any], root: Path) -> dict[str, Path]:
    """root laid out as the service's container sees it: each bind mount from out/ copied to its target; each named
    volume an empty directory. Returns where each container path is on the host."""
    where = {}
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        host = root / target.lstrip("/")
        if source.startswith("../out/"):
            shutil.copytree((STACKS / source).resolve(), host)
        else:
            host.mkdir(parents=True, exist_ok=True)
        where[target] = host
    return where


def _flags(command: list[str], where: dict[str, Path], dropped: tuple[str, ...]) -> list[str]:
    """The command's flags, a path under a mount moved to its place in root, those the test sets itself dropped."""
    flags = []
    for flag in command:
        name, _, value = flag.partition("=")
        if flag.startswith(dropped):
            continue
        for target, host in where.items():
            if value == target or value.startswith(f"{target}/"):
                flag = f"{name}={host}{value.removeprefix(target)}"
        flags.append(flag)
    return flags


def test_prometheus_loads_every_rule_group_of_out_as_compose_mounts_it(tmp_path: Path) -> None:
    service = compose_document()["services"]["prometheus"]
    where = _container(service, tmp_path / "root")
    flags = _flags(service["command"], where, ("--config.file", "--storage.tsdb.path", "--web.enable-lifecycle"))
    config = where["/etc/prometheus"] / "prometheus.yml"
    expected = {(group["name"], len(group["rules"])) for path in sorted((ROOT / "out/prometheus/rules").glob("*.yml"))
                for group in yaml.safe_load(path.read_text())["groups"]}
    with servers.prometheus(config, tmp_path, *flags) as server:
        groups = server.get("/api/v1/rules").json()["data"]["groups"]
        metrics = server.get("/metrics").text
    assert {(group["name"], len(group["rules"])) for group in groups} == expected
    assert len(expected) > 20
    assert {Path(group["file"]).parent for group in groups} == {where["/etc/prometheus"] / "rules"}
    assert [rule["name"] for group in groups for rule in group["rules"] if rule["health"] == "err"] == []
    assert "prometheus_config_last_reload_successful 1" in metrics.splitlines()


def test_alertmanager_loads_out_s_configuration_and_templates_as_compose_mounts_them(tmp_path: Path) -> None:
    service = compose_document()["services"]["alertmanager-1"]  # alertmanager-2 mounts the same files
    where = _container(service, tmp_path / "root")
    flags = _flags(service["command"], where, ("--config.file", "--storage.path", *UNSUPPORTED))
    config = where["/etc/alertmanager"] / "alertmanager.yml"
    shipped = yaml.safe_load(config.read_text())
    with servers.alertmanager(config, tmp_path, *flags) as server:
        status = server.get("/api/v2/status").json()
        metrics = server.get("/metrics").text
    assert "alertmanager_config_last_reload_successful 1" in metrics.splitlines()
    loaded = yaml.safe_load(status["config"]["original"])
    assert [receiver["name"] for receiver in loaded["receivers"]] == [r["name"] for r in shipped["receivers"]]
    assert loaded["templates"] == [str(where["/etc/alertmanager"] / t) for t in shipped["templates"]]
