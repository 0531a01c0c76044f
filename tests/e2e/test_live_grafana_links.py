"""A live stack's Grafana links open: no Grafana runs in `obsgen up`, so its build points every dashboard link (the
notifications' dashboard_url, the runbooks' panel links) at the stack's preview, which answers Grafana's own
`/d/<uid>/<slug>?viewPanel=panel-<id>` with that one panel, as Grafana's view mode shows it.

On the shared live stack, last of its files: it only reads what the webhook sink recorded and the preview's pages.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from generator.checks.lint.dashboard_json import panels
from generator.live.client import LiveClient
from generator.preview.source import dashboards
from tests.preview_spec import page_spec


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
