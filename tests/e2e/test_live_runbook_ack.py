"""A runbook of the live stack, pasted: `obsgen up --free-ports` gives its Alertmanager some free port, and the
runbook it wrote (in its state directory's out/) acknowledges on that Alertmanager, lists the silence there and
ends it, run by a shell that knows nothing of the stack (no $OBSGEN_STATE_DIR, no $ALERTMANAGER_URL, no .live/),
from a directory holding the project's out/ (as its checkout does), by which `obsgen ack` knows the alert's name.

On the shared live stack, last of its files: the silence matches an instance no alert of the stack has, so it
mutes nothing another test waits for, and the runbook's own expire line (after amtool's, the API) ends it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.live.client import LiveClient
from generator.model import conventions
from generator.model.project import Project
from tests.pasted_runbook import runbook_line, shell_environment

ROOT = Path(__file__).resolve().parents[2]
ALERT = "CpuHigh"
"""An alert with an escalation, whose runbook prints an acknowledgement."""
INSTANCE = "runbook-pasted"
"""The <instance> filled in: a host the demo has not, so the silence mutes no alert of the shared stack."""


@pytest.fixture
def paste(tmp_path: Path) -> Callable[[str], str]:
    """Runs a line with sh from a directory holding only out/, this tree's `obsgen` on PATH and nothing telling it
    where the stack is; returns what it prints (the test fails on a non-zero exit)."""
    (tmp_path / "out").symlink_to(ROOT / "out")
    env = shell_environment(tmp_path)

    def run(line: str) -> str:
        ran = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
        assert ran.returncode == 0, (line, ran.stdout, ran.stderr)
        return ran.stdout
    return run


def _silence(alertmanager: str, silence_id: str) -> dict[str, Any]:
    response = requests.get(f"{alertmanager}/api/v2/silence/{silence_id}", timeout=10)
    response.raise_for_status()
    return dict(response.json())


@pytest.mark.parametrize("command", ["obsgen ack {name} ", "amtool silence add "])
def test_a_live_runbooks_acknowledgement_pasted_silences_on_the_stacks_own_alertmanager(
        live: LiveClient, project: Project, paste: Callable[[str], str], command: str) -> None:
    alertmanager = live.stack.urls["alertmanager"]
    page = (live.stack.out / conventions.runbook_page(ALERT)).read_text()
    line = runbook_line(page, command.format(name=ALERT))
    assert alertmanager in line, f"the runbook names another Alertmanager than the stack's {alertmanager}: {line}"

    silence_id = paste(line.replace("<instance>", INSTANCE)).strip()
    try:
        silence = _silence(alertmanager, silence_id)
        assert silence["status"] == {"state": "active"}, silence
        matched = {matcher["name"]: matcher["value"] for matcher in silence["matchers"]}
        assert matched == {"alertname": ALERT, "instance": INSTANCE, **project.stack.external_labels}

        if command.startswith("obsgen"):  # the list and expire lines, the same on every page, once
            assert silence_id in paste(runbook_line(page, "obsgen ack --list"))
            paste(runbook_line(page, "obsgen ack --expire").replace("<silence id>", silence_id))
            assert _silence(alertmanager, silence_id)["status"] == {"state": "expired"}
    finally:
        requests.delete(f"{alertmanager}/api/v2/silence/{silence_id}", timeout=10)  # a no-op once expired


def test_the_live_notifications_name_the_runbooks_alertmanager_and_link_to_the_stacks_prometheus(
        live: LiveClient) -> None:
    """The dead man's switch's pings (the always-firing Watchdog) as a webhook receives them: .ExternalURL, which
    the notifications' ack command and silence link print, is the runbooks' Alertmanager, and each alert's source
    link (generatorURL, from Prometheus' --web.external-url) is the stack's Prometheus."""
    page = (live.stack.out / conventions.runbook_page(ALERT)).read_text()
    ping = live.webhooks.wait_for(lambda record: record["path"] == "/deadman", timeout=60)["body"]
    assert f"--alertmanager-url {ping['externalURL']} " in runbook_line(page, f"obsgen ack {ALERT} ")
    assert ping["externalURL"] == live.stack.urls["alertmanager"]
    assert {alert["generatorURL"].split("/graph?", 1)[0] for alert in ping["alerts"]} == {live.stack.urls["prometheus"]}
