"""Ending an acknowledgement says what it ended, on a real Alertmanager: Alertmanager answers 200 to expiring a
silence that has already ended, and `obsgen ack --expire` used to print "expired: notifications it held back
resume" for it (an on-call engineer expiring a stale id read that the page was told again, when nothing changed),
and an empty `--list` printed nothing at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from generator.cli.app import app
from tests import servers

CONFIG = "route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n"
PAGE = {"alertname": "CpuHigh", "instance": "web-1", "severity": "critical"}
ALERTS = [PAGE, {**PAGE, "escalation_level": "1"}, {**PAGE, "instance": "web-2"}]
"""The page, its level 1 copy, and the same alert on another host, which its acknowledgement leaves alone."""


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Alertmanager holding ALERTS."""
    workdir = tmp_path_factory.mktemp("ack")
    (workdir / "alertmanager.yml").write_text(CONFIG)
    with servers.alertmanager(workdir / "alertmanager.yml", workdir) as running:
        requests.post(f"{running.url}/api/v2/alerts", json=[{"labels": labels} for labels in ALERTS],
                      timeout=10).raise_for_status()
        yield running.url


def _ack(url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["ack", *args, "--alertmanager-url", url, "--out",
                                                      str(tmp_path / "out")])
    return result.exit_code, result.stdout, result.stderr


def test_expiring_says_what_it_unmutes_and_an_ended_or_unknown_silence_is_refused(url: str, tmp_path: Path) -> None:
    code, listed, said = _ack(url, tmp_path, "--list")
    assert (code, listed) == (0, "") and said == f"no active or pending silence on {url}\n"
    code, silence, said = _ack(url, tmp_path, "CpuHigh", "instance=web-1")
    assert code == 0 and "silencing 2 alerts (1 escalation copy) now" in said, said
    silence = silence.strip()
    code, listed, _ = _ack(url, tmp_path, "--list")
    assert code == 0 and listed.startswith(f'{silence}  {{alertname="CpuHigh", instance="web-1"}}  until ')
    assert "  active, silencing 2 alerts (1 escalation copy) now  by " in listed, listed

    code, _, said = _ack(url, tmp_path, "--expire", silence)
    assert code == 0 and said == (f'silence {silence} of {{alertname="CpuHigh", instance="web-1"}} expired: 2 alerts '
                                  "(1 escalation copy) it matches silenced no more, notified at their groups' next "
                                  "flush\n"), said

    code, _, said = _ack(url, tmp_path, "--expire", silence)
    assert code == 1 and said.startswith(f'error: silence {silence} of {{alertname="CpuHigh", instance="web-1"}} had '
                                         "already ended (at 20") and said.endswith("): nothing expired\n"), said
    unknown = "0bc5474c-41aa-4b2c-9767-5c8b65abaeb6"
    for wrong in (unknown, "not-an-id"):
        code, _, said = _ack(url, tmp_path, "--expire", wrong)
        assert code == 1 and said == (f"error: no silence {wrong} on {url}: `obsgen ack --list` shows the active "
                                      "and pending ones\n"), said


def test_expiring_one_of_two_silences_says_which_alerts_the_other_still_holds(url: str, tmp_path: Path) -> None:
    _, first, _ = _ack(url, tmp_path, "CpuHigh")
    _, second, _ = _ack(url, tmp_path, "CpuHigh", "instance=web-1", "--for", "1h")
    try:
        code, _, said = _ack(url, tmp_path, "--expire", first.strip())
        assert code == 0 and said.endswith(": 1 alert it matches silenced no more, notified at their groups' next "
                                           "flush; 2 alerts it matches still silenced by another silence\n"), said
    finally:
        _ack(url, tmp_path, "--expire", second.strip())
