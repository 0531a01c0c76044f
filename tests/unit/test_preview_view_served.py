"""The preview answers Grafana's dashboard addresses: /d/<uid>/<slug> under any slug, and ?viewPanel=<key> as
Grafana's view mode (the one panel, the page's whole width); a key naming no panel shows the dashboard with a note,
never an error page."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Request

from generator.preview.serve import LiveServer
from generator.preview.source import DashboardFile
from tests.preview_spec import page_spec

TEXT = {"type": "text", "options": {"content": "words"}}
DOCUMENT: dict[str, Any] = {
    "uid": "shop", "title": "Shop", "panels": [
        {**TEXT, "id": 1, "title": "Orders", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}},
        {"type": "row", "id": 2, "title": "More", "collapsed": True, "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1},
         "panels": [{**TEXT, "id": 3, "title": "Refunds", "gridPos": {"x": 0, "y": 9, "w": 6, "h": 4}}]},
    ]}
"""Text panels only: a page of them asks Prometheus nothing, so no Prometheus need run."""


def _answer(target: str) -> tuple[int, str]:
    server = LiveServer([DashboardFile(Path("shop.json"), "Tests", DOCUMENT)], "http://127.0.0.1:9", 15.0)
    try:
        response = asyncio.run(server.answer_http(None, Request(target, Headers())))  # type: ignore[arg-type]
    finally:
        server.prometheus.close()
    assert response is not None
    return response.status_code, response.body.decode()


def test_a_panel_link_opens_that_panel_alone_across_the_page() -> None:
    status, page = _answer("/d/shop/shop?viewPanel=panel-3&from=now-1h&to=now")
    assert status == 200
    spec = page_spec(page)
    assert [(p["id"], p["title"], p["gridPos"]) for p in spec["panels"]] == [
        (3, "Refunds", {"x": 0, "y": 0, "w": 24, "h": 20})]  # 752 px: a laptop screen below the bar
    assert (spec["view"], spec["note"]) == ("Refunds", "")
    assert spec["live"]["path"].startswith("/ws/shop?viewPanel=panel-3&from=now-1h&to=now&obsgenPage=")  # the range
    assert "<title>Refunds · Shop · obsgen preview</title>" in page


def test_an_unknown_panel_shows_the_whole_dashboard_with_a_note() -> None:
    status, page = _answer("/d/shop/any-slug?viewPanel=panel-99")
    spec = page_spec(page)
    assert status == 200
    assert [p["id"] for p in spec["panels"]] == [1, 2]
    assert spec["view"] == "" and "Panel not found" in spec["note"] and "'panel-99'" in spec["note"]


def test_a_dashboard_answers_under_any_slug_and_an_unknown_uid_is_not_found() -> None:
    assert _answer("/d/shop")[0] == _answer("/d/shop/whatever")[0] == 200
    assert [p["id"] for p in page_spec(_answer("/d/shop/whatever")[1])["panels"]] == [1, 2]
    assert _answer("/d/nope/shop?viewPanel=panel-1") == (404, "no such dashboard")
    assert _answer("/d/shop/shop/extra")[0] == 404
