"""`obsgen status` during an incident, on the real prometheus and prometheus-alertmanager running the project's out/:
the heartbeat (Watchdog) is its own line, not one of the firing alerts; each acknowledgement (`obsgen ack`) is listed
with its author, its end and the escalation levels it holds back; inside a live stack, whose servers read out/ itself,
no hint to give --alertmanager-dir."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from typer.testing import CliRunner

from generator.apply import status
from generator.cli import live
from generator.cli.app import app
from generator.live.running import LiveStack
from tests import servers
from tests.e2e.test_status_drift import ROOT, Running, running
from tests.edits import edit

__all__ = ["running"]  # the module's servers, started once for these tests too
FIRING = [{"alertname": "CpuHigh", "instance": "web-1", "severity": "critical"},
          {"alertname": "CpuHigh", "instance": "web-1", "severity": "critical", "escalation_level": "1"},
          {"alertname": "CpuHigh", "instance": "web-1", "severity": "critical", "escalation_level": "2"}]


def _heartbeat_firing(running: Running) -> None:
    """Until Prometheus has evaluated the Watchdog (its group runs every 15 s, from a moment after the start)."""
    for _ in range(60):
        alerts = requests.get(f"{running.prometheus.url}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
        if any(a["labels"]["alertname"] == "Watchdog" and a["state"] == "firing" for a in alerts):
            return
        time.sleep(0.5)
    pytest.fail("Watchdog never fired")


def test_the_heartbeat_is_its_own_line_not_a_firing_alert(running: Running) -> None:
    _heartbeat_firing(running)
    result = running.status(dirs=False)
    assert "prometheus   ok         heartbeat Watchdog: firing, as it should" in result.stdout, result.stdout
    assert "firing     Watchdog" not in result.stdout


def _status_of(running: Running, alertmanager: str) -> tuple[int, str]:
    """`obsgen status` of the running Prometheus and the Alertmanager at `alertmanager`, in this process."""
    result = CliRunner().invoke(app, ["status", "--out", str(running.out), "--prometheus-url", running.prometheus.url,
                                      "--alertmanager-url", alertmanager])
    return result.exit_code, result.output


def test_a_heartbeat_the_alertmanager_does_not_hold_is_an_error(running: Running, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Prometheus firing the Watchdog says nothing of its delivery: with the Alertmanager it should reach down, or not
    the one Prometheus sends to (here: a second one, running the same out/, that no Prometheus sends to), it fires
    all the same and the dead man's switch is pinged by nobody."""
    _heartbeat_firing(running)
    with servers.alertmanager(running.alertmanager_dir / "alertmanager.yml", tmp_path) as alone:
        code, output = _status_of(running, alone.url)  # started a moment ago: Prometheus may not have resent it yet
        assert "alertmanager note       heartbeat Watchdog: not received yet: Alertmanager started" in output, output
        later = time.time() + status.HEARTBEAT_GRACE  # as it stands 3 minutes on
        monkeypatch.setattr(status, "time", SimpleNamespace(time=lambda: later))
        code, output = _status_of(running, alone.url)
    assert code == 1, output
    assert "prometheus   ok         heartbeat Watchdog: firing, as it should" in output, output
    assert ("alertmanager error      heartbeat Watchdog: NOT received: no Prometheus sends it here (down, or not "
            "sending to this Alertmanager); its dead man's switch is not pinged, and its service pages"
            in output), output


def test_a_silenced_heartbeat_is_an_error(running: Running) -> None:
    """A silence on the heartbeat (one matching every alert, left on after a quiet night) stops the pings as surely as
    an Alertmanager down. The Watchdog is posted as Prometheus sends it: a Prometheus just started drops its first
    send (no Alertmanager discovered yet) and sends again only a resend delay (1m) later."""
    am = running.alertmanager.url
    watchdog = {"alertname": "Watchdog", "severity": "info", "platform": "ecommerce-rag"}
    requests.post(f"{am}/api/v2/alerts", json=[{"labels": watchdog}], timeout=10).raise_for_status()
    code, output = _status_of(running, am)
    assert ("alertmanager ok         heartbeat Watchdog: received from Prometheus, pinging its dead man's switch"
            in output), output
    now = time.time()
    silence = requests.post(f"{am}/api/v2/silences", timeout=10, json={
        "matchers": [{"name": "alertname", "value": "Watchdog", "isRegex": False}], "createdBy": "tests/e2e",
        "comment": "a quiet night", "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 1)),
        "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600))})
    silence.raise_for_status()
    try:
        for _ in range(20):  # Alertmanager marks the alert silenced at its next look (at once, or within a second)
            code, output = _status_of(running, am)
            if "heartbeat Watchdog: silenced" in output:
                break
            time.sleep(0.5)
        assert code == 1, output
        assert ("alertmanager error      heartbeat Watchdog: silenced or inhibited: its dead man's switch is not "
                "pinged, and its service pages") in output, output
    finally:
        requests.delete(f"{am}/api/v2/silence/{silence.json()['silenceID']}", timeout=10).raise_for_status()


def test_a_heartbeat_not_firing_is_an_error(running: Running, tmp_path: Path) -> None:
    out = tmp_path / "out"  # out/ whose dead man's switch is another alert, one that does not fire
    shutil.copytree(running.out, out)
    edit(out / "alertmanager/alertmanager.yml", '- alertname="Watchdog"', '- alertname="MemoryHigh"', first=True)
    _heartbeat_firing(running)
    result = running.status(out, dirs=False)
    assert result.returncode == 1
    assert ("prometheus   error      heartbeat MemoryHigh: NOT firing: the rule evaluation or notification path is "
            "broken") in result.stdout, result.stdout


def test_an_acknowledgement_says_by_whom_until_when_and_the_levels_it_holds_back(running: Running) -> None:
    am = running.alertmanager.url
    requests.post(f"{am}/api/v2/alerts", json=[{"labels": labels} for labels in FIRING],
                  timeout=10).raise_for_status()
    acked = subprocess.run([sys.executable, "-m", "generator", "ack", "CpuHigh", "--alertmanager-url", am,
                            "--author", "alice@oncall", "--for", "1h", "--comment", "looking at web-1",
                            "--out", str(running.out)], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert acked.returncode == 0, acked.stderr
    silence = acked.stdout.strip()
    try:
        ends = requests.get(f"{am}/api/v2/silence/{silence}", timeout=10).json()["endsAt"]
        result = running.status(dirs=False)
        assert (f"alertmanager acked      CpuHigh: by alice@oncall until {ends}; silencing 3 alerts (2 escalation "
                f'copies) now, escalation levels 1, 2 held back (silence {silence} {{alertname="CpuHigh"}}: '
                "looking at web-1)") in result.stdout, result.stdout
    finally:
        requests.delete(f"{am}/api/v2/silence/{silence}", timeout=10).raise_for_status()


def test_inside_a_live_stack_the_files_its_servers_read_are_compared_without_asking(
        running: Running, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stack = LiveStack(state_dir=tmp_path, urls={"prometheus": running.prometheus.url,
                                                "alertmanager": running.alertmanager.url},
                      out=running.out, time_scale=1.0, scrape_interval=1.0, ready_at=0.0, self_jobs=())
    monkeypatch.setattr(live, "running_stack", lambda: stack)
    for name in ("PROMETHEUS_URL", "ALERTMANAGER_URL", "OBSGEN_PROMETHEUS_DIR", "OBSGEN_ALERTMANAGER_DIR"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["status"])
    assert "--alertmanager-dir" not in result.output, result.output
    assert (f"alertmanager ok         {running.out / 'alertmanager'}: 2 files as in out/, none changed since the last "
            "reload") in result.output, result.output


def test_inside_a_live_stack_every_alertmanager_of_its_pair_is_checked(
        running: Running, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The pair's second Alertmanager killed: the first delivers alone, the dead man's switch is pinged through it,
    and a status that read the first alone said `in sync` (exit 0)."""
    dead = f"http://127.0.0.1:{servers.free_port()}"  # nothing listens there: the second, killed
    stack = LiveStack(state_dir=tmp_path, urls={"prometheus": running.prometheus.url,
                                                "alertmanager": running.alertmanager.url, "alertmanager-2": dead},
                      out=running.out, time_scale=1.0, scrape_interval=1.0, ready_at=0.0, self_jobs=(),
                      alertmanagers=("alertmanager", "alertmanager-2"))
    monkeypatch.setattr(live, "running_stack", lambda: stack)
    for name in ("PROMETHEUS_URL", "ALERTMANAGER_URL", "OBSGEN_PROMETHEUS_DIR", "OBSGEN_ALERTMANAGER_DIR"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["status", "--retries", "0"])
    assert result.exit_code == 1, result.output
    unreadable = f"alertmanager-2 UNREADABLE alertmanager: cannot reach alertmanager at {dead}"
    assert unreadable in result.output, result.output


def test_a_heartbeat_evaluated_every_5m_is_awaited_that_long_after_an_alertmanager_start(
        running: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project evaluating its rules every 5m: Prometheus sends the firing Watchdog at the first evaluation after
    the 1m resend delay, every 5m, so an Alertmanager started 200 s ago may not hold it yet, healthy as it is. The
    3 minutes' grace said `NOT received: no Prometheus sends it here`, an error, on every such restart."""
    out = tmp_path / "out"
    shutil.copytree(running.out, out)
    config = out / "prometheus" / "prometheus.yml"
    config.write_text(re.sub(r"evaluation_interval: \S+", "evaluation_interval: 5m", config.read_text(), count=1))
    with servers.alertmanager(running.alertmanager_dir / "alertmanager.yml", tmp_path) as alone:
        later = time.time() + 200
        monkeypatch.setattr(status, "time", SimpleNamespace(time=lambda: later))  # as it stands 200 s on
        result = CliRunner().invoke(app, ["status", "--out", str(out), "--prometheus-url", running.prometheus.url,
                                          "--alertmanager-url", alone.url])
    assert "alertmanager note       heartbeat Watchdog: not received yet: Alertmanager started 20" in result.output, \
        result.output
    assert "heartbeat Watchdog: NOT received" not in result.output, result.output
