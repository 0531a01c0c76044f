"""The live demo's notifications link to the Alertmanager it runs: `obsgen up` starts Debian's
prometheus-alertmanager and builds the links for that release's UI (what `--version` prints), not for the one the
definitions' Stack declares. A tab in a label value is where the two differ: 0.32.0's UI decodes \\t, an earlier one
keeps it as written."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import requests

from generator.live import releases
from generator.live.client import LiveClient
from tests.alertmanager_ui import decoded_value, kept_value, ui_filter
from tests.e2e.conftest import own_stack

VALUE, NEIGHBOUR = "live\tlink", "live\\tlink"
"""An instance holding a tab, and one holding a backslash and a t where it has the tab."""


def test_a_demo_notifications_silence_link_silences_exactly_its_alert_on_the_running_alertmanager(
        tmp_path: Path) -> None:
    with own_stack(tmp_path / "live") as live:
        _follow_the_link(live)


def _follow_the_link(live: LiveClient) -> None:
    running = releases.installed()
    alertmanager = live.stack.urls["alertmanager"]
    posted = time.time()
    alerts = [{"labels": {"alertname": "CpuHigh", "severity": "critical", "instance": instance,
                          "escalation_policy": "default", "escalation_level": "1"}} for instance in (VALUE, NEIGHBOUR)]
    requests.post(f"{alertmanager}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
    mail = live.emails.wait_for(lambda record: record["received"] >= posted and "CpuHigh" in record["subject"]
                                and VALUE in record["subject"], 60)
    link = html.unescape(re.search(r'href="([^"]*#/silences/new[^"]*)"', mail["html"])[1])  # type: ignore[index]
    read = decoded_value if tuple(map(int, running.split("."))) >= (0, 32, 0) else kept_value
    form = dict(map(read, ui_filter(link, alertmanager, "silences/new")))
    assert form == {"alertname": "CpuHigh", "instance": VALUE}, (running, link)
    created = requests.post(f"{alertmanager}/api/v2/silences", timeout=10, json={
        "matchers": [{"name": name, "value": value, "isRegex": False, "isEqual": True} for name, value in form.items()],
        "startsAt": "2024-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z", "createdBy": "test",
        "comment": "the link's silence"})
    created.raise_for_status()
    silence = created.json()["silenceID"]
    try:
        shown = requests.get(f"{alertmanager}/api/v2/alerts", params={"filter": 'alertname="CpuHigh"'}, timeout=10)
        silenced = {alert["labels"]["instance"] for alert in shown.json() if silence in alert["status"]["silencedBy"]}
        assert silenced == {VALUE}
    finally:
        requests.delete(f"{alertmanager}/api/v2/silence/{silence}", timeout=10).raise_for_status()
