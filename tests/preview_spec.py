"""What a served preview page draws, read back as its script reads it (page.html.j2's preview-spec element)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Request

from generator.preview.serve import LiveServer
from generator.preview.source import DashboardFile

SPEC = re.compile(r'<script id="preview-spec" type="application/json">(.*?)</script>', re.DOTALL)


def page_spec(page: str) -> dict[str, Any]:
    """The page's dashboard JSON, panels and data, as preview.js parses them."""
    found = SPEC.search(page)
    assert found, page[:500]
    return dict(json.loads(found.group(1)))


def served(document: dict[str, Any], prometheus_url: str, target: str, scrape: float) -> tuple[int, dict[str, Any]]:
    """The status and spec of the page that a preview server of this one dashboard (folder Tests) answers target
    with."""
    server = LiveServer([DashboardFile(Path(f"{document['uid']}.json"), "Tests", document)], prometheus_url, scrape)
    try:
        response = asyncio.run(server.answer_http(None, Request(target, Headers())))  # type: ignore[arg-type]
    finally:
        server.prometheus.close()
    assert response is not None
    return response.status_code, page_spec(response.body.decode())
