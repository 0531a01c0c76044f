"""`obsgen ack` on the real prometheus-alertmanager: it says what the silence covers, escalation copies included,
and refuses a name neither firing nor an alert of out/ (a typo), and an acknowledgement of months."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n"
FIRING = [{"alertname": "CpuHigh", "instance": "web-1"}, {"alertname": "CpuHigh", "instance": "db-7"},
          {"alertname": "CpuHigh", "instance": "db-7", "escalation_level": "2"}]


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    workdir = tmp_path_factory.mktemp("ack")
    (workdir / "alertmanager.yml").write_text(CONFIG)
    with servers.alertmanager(workdir / "alertmanager.yml", workdir) as server:
        requests.post(f"{server.url}/api/v2/alerts", json=[{"labels": labels} for labels in FIRING],
                      timeout=10).raise_for_status()
        yield server


def _ack(server: servers.Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "ack", *args, "--alertmanager-url", server.url,
                           "--out", str(ROOT / "out")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _expire(server: servers.Server, result: subprocess.CompletedProcess[str]) -> None:
    requests.delete(f"{server.url}/api/v2/silence/{result.stdout.strip()}", timeout=10).raise_for_status()


def test_ack_says_how_many_alerts_and_escalation_copies_it_silences(alertmanager: servers.Server) -> None:
    result = _ack(alertmanager, "CpuHigh")
    assert result.returncode == 0, result.stderr
    assert ('{alertname="CpuHigh"} matches 3 alerts (1 escalation copy): escalation_level=2, instance=db-7; '
            "instance=db-7; instance=web-1") in result.stderr
    assert "silencing 3 alerts (1 escalation copy) now" in result.stderr
    _expire(alertmanager, result)

    narrowed = _ack(alertmanager, "CpuHigh", 'instance="web-1"')
    assert narrowed.returncode == 0, narrowed.stderr
    assert "silencing 1 alert now" in narrowed.stderr
    _expire(alertmanager, narrowed)


def test_a_name_nothing_matches_is_refused_with_the_names_near_it(alertmanager: servers.Server) -> None:
    typo = _ack(alertmanager, "CpuHgih")
    assert typo.returncode == 1 and not typo.stdout
    assert "CpuHgih is not firing and is no alert of" in typo.stderr
    assert "(did you mean CpuHigh?)" in typo.stderr

    forced = _ack(alertmanager, "CpuHgih", "--force")
    assert forced.returncode == 0 and "matches 0 alerts" in forced.stderr
    _expire(alertmanager, forced)


def test_an_alert_of_out_may_be_acknowledged_ahead_of_its_firing(alertmanager: servers.Server) -> None:
    ahead = _ack(alertmanager, "MemoryHigh", "instance=web-1")
    assert ahead.returncode == 0, ahead.stderr
    assert '{alertname="MemoryHigh", instance="web-1"} matches 0 alerts: none firing now' in ahead.stderr
    _expire(alertmanager, ahead)


def test_an_acknowledgement_of_more_than_a_week_needs_force(alertmanager: servers.Server) -> None:
    result = _ack(alertmanager, "CpuHigh", "--for", "100y")
    assert result.returncode == 1 and "--for 100y is longer than 1w" in result.stderr
    made = requests.get(f"{alertmanager.url}/api/v2/silences", timeout=10).json()
    assert all(silence["status"]["state"] == "expired" for silence in made)  # the earlier tests' only


TYPED = [r'instance="a\tb"', r'instance="C:\temp\new"', r'instance="a\"b\\c\nd"', 'instance="raw\ttab"',
         r'instance="\u00e9\x41"', "instance=plain", r'instance=~"db-\\d+"',
         r"instance=C:\temp\new", r"instance=a\"b\\c", r"path=/end\\", r"path=/end\\\\", " instance = padded ",
         'instance=\t"tabbed"  ', "instance=a,b", "instance=", r'instance="ends\\\\"', "path=/lone\\"]
"""Matchers as someone types them: escapes amtool's classic parser reads (\\\\, \\", \\n), ones it keeps, a raw tab; and
unquoted values, which it unescapes the same way, with whitespace around each part dropped."""
REFUSED = ['path=/a"b"', r'instance="end\"', 'instance="open', 'instance=close"', 'instance="a"b"', "=nameless",
           "instance"]
"""Matchers amtool refuses: a double quote that does not open and close the value, or no LABEL=VALUE at all."""


@pytest.mark.parametrize("typed", TYPED)
def test_ack_reads_a_matcher_as_amtool_does(alertmanager: servers.Server, typed: str) -> None:
    """The same words, to `amtool silence add` and to obsgen ack, make the same silence."""
    added = subprocess.run(["amtool", f"--alertmanager.url={alertmanager.url}", "silence", "add", "--comment=x",
                            "--duration=1m", "alertname=CpuHigh", typed], capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    amtools = requests.get(f"{alertmanager.url}/api/v2/silence/{added.stdout.strip()}", timeout=10).json()
    requests.delete(f"{alertmanager.url}/api/v2/silence/{amtools['id']}", timeout=10).raise_for_status()
    acked = _ack(alertmanager, "CpuHigh", typed, "--force")
    assert acked.returncode == 0, acked.stderr
    ours = requests.get(f"{alertmanager.url}/api/v2/silence/{acked.stdout.strip()}", timeout=10).json()
    _expire(alertmanager, acked)
    assert ours["matchers"] == amtools["matchers"]



@pytest.mark.parametrize("typed", REFUSED)
def test_ack_refuses_a_matcher_amtool_refuses(alertmanager: servers.Server, typed: str) -> None:
    """What amtool refuses, obsgen ack refuses too, in amtool's words, before any silence is made."""
    added = subprocess.run(["amtool", f"--alertmanager.url={alertmanager.url}", "silence", "add", "--comment=x",
                            "--duration=1m", "alertname=CpuHigh", typed], capture_output=True, text=True, timeout=60)
    assert added.returncode != 0 and "error:" in added.stderr, (added.stdout, added.stderr)
    before = requests.get(f"{alertmanager.url}/api/v2/silences", timeout=10).json()
    acked = _ack(alertmanager, "CpuHigh", typed, "--force")
    assert acked.returncode != 0 and acked.stdout == "", (acked.stdout, acked.stderr)
    assert "Traceback" not in acked.stderr and added.stderr.split("error: ", 1)[1].strip() in acked.stderr
    assert requests.get(f"{alertmanager.url}/api/v2/silences", timeout=10).json() == before
