"""The live build names the servers `obsgen up` starts: a runbook's ack and amtool lines talk to the Alertmanager the
stack runs, on whatever port it was given, as the notifications' own command (.ExternalURL) does, and the stack's
Prometheus URL is the one Prometheus is told, and the exporter's configuration names the port it runs on and that
Prometheus, which its forecasts read. The default build keeps the declared URLs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.derive.time_compression import apply
from generator.live import releases
from generator.live.stack import Options, _alertmanager_argv, _ports, _profile
from generator.model import conventions
from generator.model.project import Project
from generator.targets import docs, exporter

pytestmark = pytest.mark.skipif(shutil.which(releases.ALERTMANAGER) is None,
                                reason="prometheus-alertmanager not installed")  # the live profile asks its release
ALERT = "CpuHigh"
"""An alert with an escalation, whose runbook prints an acknowledgement."""


def _external_url(argv: list[str]) -> str:
    """The --web.external-url an Alertmanager is started with."""
    url, = (flag.removeprefix("--web.external-url=") for flag in argv if flag.startswith("--web.external-url="))
    return url


@pytest.mark.parametrize("alertmanagers", [1, 2])
def test_the_live_runbooks_acknowledge_on_the_alertmanager_the_stack_starts(project: Project, tmp_path: Path,
                                                                           alertmanagers: int) -> None:
    options = Options(free_ports=True, alertmanagers=alertmanagers, state_dir=tmp_path)
    ports = _ports(options)
    live = apply(project, _profile(project, options, ports, {"prometheus", "alertmanager"}))
    started = _external_url(_alertmanager_argv("alertmanager", options, ports, tmp_path / "out", tmp_path))
    page = docs.render(live)[conventions.runbook_page(ALERT)]

    assert started == f"http://127.0.0.1:{ports['alertmanager']}" != project.stack.alertmanager_external_url
    assert live.stack.alertmanager_external_url == started
    lines = re.findall(r"^(?:obsgen ack|amtool silence add) .*$", page, re.MULTILINE)
    assert len(lines) == 4, page  # ack, --list, --expire and amtool's
    assert all(f"--alertmanager-url {started} " in line or f"--alertmanager.url={started} " in line
               for line in lines), lines
    assert live.stack.prometheus_external_url == f"http://127.0.0.1:{ports['prometheus']}"


def test_the_default_build_keeps_the_declared_urls(project: Project) -> None:
    page = docs.render(project)[conventions.runbook_page(ALERT)]
    assert f"--alertmanager-url {project.stack.alertmanager_url} " in page


def test_the_live_panel_links_open_the_stacks_preview(project: Project, tmp_path: Path) -> None:
    """No Grafana runs in the live stack: its runbooks' and notifications' dashboard links are on the preview it
    starts, which answers Grafana's /d/<uid>/<slug>?viewPanel= addresses."""
    options = Options(free_ports=True, state_dir=tmp_path)
    ports = _ports(options)
    live = apply(project, _profile(project, options, ports, {"prometheus", "alertmanager"}))
    preview = f"http://127.0.0.1:{ports['preview']}"
    page = docs.render(live)[conventions.runbook_page(ALERT)]

    assert live.stack.grafana_url == preview != project.stack.grafana_url
    assert f"{preview}/d/" in page and "?viewPanel=panel-" in page, page
    assert project.stack.grafana_url not in page


def test_the_live_exporter_config_names_the_port_the_stack_runs_it_on(project: Project, tmp_path: Path) -> None:
    """The exporter is started with its exporter.yml alone: the listen address there is where it answers."""
    options = Options(free_ports=True, state_dir=tmp_path)
    ports = _ports(options)
    live = apply(project, _profile(project, options, ports, {"prometheus", "alertmanager", "exporter"}))
    listen = exporter.config(live)["exporter"]["listen"]

    assert listen == f"127.0.0.1:{ports['exporter']}" != project.exporter.listen
    assert exporter.config(project)["exporter"]["listen"] == project.exporter.listen  # the default build's


def test_the_live_exporter_config_reads_the_prometheus_the_stack_runs(project: Project, tmp_path: Path) -> None:
    """The exporter is started without --prometheus-url: its forecasts query the Prometheus its exporter.yml names,
    which must be the one the stack starts (on its chosen port), not the compose stack's http://prometheus:9090."""
    options = Options(free_ports=True, state_dir=tmp_path)
    ports = _ports(options)
    live = apply(project, _profile(project, options, ports, {"prometheus", "alertmanager", "exporter"}))
    settings = exporter.config(live)["exporter"]

    assert settings["prometheus_url"] == f"http://127.0.0.1:{ports['prometheus']}" != project.exporter.prometheus_url
    assert settings["prometheus_url"] == live.stack.prometheus_url  # the --web.external-url Prometheus is started with
    assert settings["listen"] == f"127.0.0.1:{ports['exporter']}"  # the other override still holds
    assert exporter.config(project)["exporter"]["prometheus_url"] == project.exporter.prometheus_url  # the default's
