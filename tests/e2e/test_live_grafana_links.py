"""A live stack's Grafana links open: no Grafana runs in `obsgen up`, so its build points every dashboard link (the
notifications' dashboard_url, the runbooks' panel links) at the stack's preview, which answers Grafana's own
`/d/<uid>/<slug>?viewPanel=panel-<id>` with that one panel, as Grafana's view mode shows it.

On the shared live stack, last of its files: it only reads what the webhook sink recorded and the preview's pages.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from generator.checks.lint.dashboard_json import panels
from generator.live.client import LiveClient
from generator.model import conventions
from generator.preview.source import dashboards
from tests.amtool_render import render
from tests.preview_spec import page_spec

RANGE_TEXT = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) to a few seconds ago")
"""The preview's time picker over a link's range from an absolute start to now, as Grafana's describeTimeRange writes
it (generator/preview/dashboard_time.range_text)."""


def test_a_live_notifications_grafana_link_opens_its_panel_in_the_stacks_preview(live: LiveClient) -> None:
    """The dead man's switch's ping (the always-firing Watchdog) as the webhook sink recorded it: its dashboard_url
    is on the stack's preview, answers 200, and the page is that panel alone, under its title."""
    ping = live.webhooks.wait_for(lambda record: record["path"] == "/deadman", timeout=60)["body"]
    link, = {alert["annotations"]["dashboard_url"] for alert in ping["alerts"]}
    address = urlsplit(link)
    uid, panel_id = address.path.split("/")[2], int(parse_qs(address.query)["viewPanel"][0].removeprefix("panel-"))
    assert link.startswith(f"{live.stack.urls['preview']}/d/{uid}/"), link
    dashboard, = (d for d in dashboards(live.stack.out / "grafana") if d.uid == uid)
    title, = (str(p["title"]) for p in panels(dashboard.document) if p.get("id") == panel_id)

    answer = requests.get(link, timeout=30)
    assert answer.status_code == 200, (link, answer.text[:300])
    spec = page_spec(answer.text)
    assert [(panel["id"], panel["title"]) for panel in spec["panels"]] == [(panel_id, title)], link
    assert spec["view"] == title and not spec["note"]
    assert f"<title>{title} · {dashboard.title} · obsgen preview</title>" in answer.text


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
def test_a_live_notifications_dashboard_link_opens_its_panel_over_the_alerts_start(live: LiveClient,
                                                                                    tmp_path: Path) -> None:
    """The Watchdog's ping, as Alertmanager gave it to the webhook (its template data), rendered by amtool with the
    live build's templates as Slack's and PagerDuty's links render it: the preview opens the panel over a range
    from before the alert started (it fires since the stack came up) to now."""
    ping = live.webhooks.wait_for(lambda record: record["path"] == "/deadman", timeout=60)["body"]
    template = live.stack.out / conventions.alertmanager_template()
    link = render(template, '{{ template "obsgen.dashboard.link" .Alerts }}', ping, tmp_path)
    annotation, = {alert["annotations"]["dashboard_url"] for alert in ping["alerts"]}
    assert link.startswith(f"{annotation}&from=") and link.endswith("&to=now"), link
    started = min(datetime.fromisoformat(alert["startsAt"]) for alert in ping["alerts"])

    answer = requests.get(link, timeout=30)
    assert answer.status_code == 200, (link, answer.text[:300])
    spec = page_spec(answer.text)
    shown = RANGE_TEXT.fullmatch(spec["rangeText"])
    assert shown and not spec["note"], (link, spec["rangeText"], spec["note"])
    start = _utc(shown[1])
    assert start <= started and (started - start).total_seconds() >= 3600 - 1, (started, spec["rangeText"])
