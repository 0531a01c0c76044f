"""`obsgen preview --serve`: every dashboard as a live page on 127.0.0.1, new data pushed over a WebSocket.

The plan's real-time dashboards (5 s for Development): each open page gets a WebSocket on the same port,
and the server queries Prometheus and pushes the dashboard's data at the dashboard's own refresh interval,
as Grafana's auto-refresh would, so what the page shows is never older than one interval. Pages answer at
Grafana's own dashboard addresses (view.py), so a notification's or runbook's Grafana link opens its panel here,
over the link's time range and with its variables' values (linked.py).

Query variables follow their `refresh` as Grafana 12 does (variables.py): the page's load runs every one; each push,
an auto-refresh and so a time range change, runs again only the refresh=2 ones (and those naming one whose value
changed), from the values the page holds. The server keeps what each page loaded with (at most OPENED_PAGES, the
oldest dropped) under a token its WebSocket address carries; a socket whose token the server does not hold (a
restarted server) loads afresh on its first push.
"""

from __future__ import annotations

import asyncio
import html as markup
import json
import secrets
import signal
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from generator.core.wording import counted
from generator.preview.dashboard_time import Timed, timed
from generator.preview.linked import Linked, linked
from generator.preview.page import PAGE_WIDTH, Live, Shown, html
from generator.preview.prometheus import Prometheus, dashboard_data
from generator.preview.source import DashboardFile
from generator.preview.variables import Resolved, on_time_range_change, resolve
from generator.preview.view import Address, address, find_panel, not_found, viewed

DEFAULT_REFRESH = 30.0
"""Seconds between pushes for a dashboard that sets no refresh of its own."""
HOST = "127.0.0.1"
OPENED_PAGES = 256
"""Pages whose loaded variables the server keeps for their WebSocket: a page that never opens its socket (a crawler,
a closed tab) costs one entry until newer pages push it out."""
PAGE_KEY = "obsgenPage"
"""The WebSocket address' parameter naming the page load its pushes continue (Grafana's addresses have none)."""


def page_path(dashboard: DashboardFile) -> str:
    """Where the dashboard's live page is served."""
    return f"/d/{dashboard.uid}"


def _response(status: HTTPStatus, body: str) -> Response:
    data = body.encode()
    headers = Headers([("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data))),
                       ("Cache-Control", "no-store")])
    return Response(status.value, status.phrase, headers, data)


def _index(dashboards: list[DashboardFile]) -> str:
    items = "".join(f'<li><a href="{markup.escape(page_path(d))}">{markup.escape(d.folder)} / '
                    f"{markup.escape(d.title)}</a> (refresh {markup.escape(str(d.document.get('refresh') or 'off'))})"
                    "</li>" for d in dashboards)
    return (f'<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>obsgen preview</title>'
            f"<ul>{items}</ul>")


def _shown(dashboard: DashboardFile, asked: Address, now: float) -> tuple[DashboardFile, Shown, Linked]:
    """The dashboard, or its one panel in view mode, as the link's range and variables make it at time now."""
    view, note = "", ""
    if asked.view_panel:
        panel = find_panel(dashboard.document, asked.view_panel)
        if panel is None:
            note = not_found(asked.view_panel)
        else:
            dashboard, view = viewed(dashboard, panel), str(panel.get("title") or "")
    link = linked(dashboard, asked, now)
    notes = " ".join(text for text in (note, link.note) if text)
    return link.dashboard, Shown(view=view, note=notes, range_text=link.range_text), link


class LiveServer:
    """The pages, and the pushes to each open page."""

    def __init__(self, dashboards: list[DashboardFile], prometheus_url: str, scrape: float) -> None:
        self.by_uid = {d.uid: d for d in dashboards}
        self.dashboards = dashboards
        self.prometheus = Prometheus(prometheus_url)
        self.scrape = scrape
        self.opened: OrderedDict[str, Resolved] = OrderedDict()

    def data(self, dashboard: DashboardFile, link: Linked, now: float, loaded: Resolved | None = None
             ) -> tuple[Resolved, dict[str, Any], Timed]:
        """The dashboard's data as of now, over the link's range and with its variables' values: on a load (loaded
        None) every query variable's query runs first; on a push only those a time range change runs again, from
        the values the page loaded with. The variables' state (with its notes on failed queries), the data, and the
        ranges it was drawn over (with their notes)."""
        if loaded is None:
            opened = resolve(self.prometheus, dashboard, link.variables, link.pinned, link.window, now, self.scrape)
        else:
            opened = resolve(self.prometheus, loaded.dashboard, loaded.values, frozenset(), link.window, now,
                             self.scrape, on_time_range_change(loaded.dashboard))
        times = timed(opened.dashboard.document, now, link.window, opened.values)
        return opened, dashboard_data(self.prometheus, opened.dashboard, now, PAGE_WIDTH, self.scrape, opened.values,
                                      times), times

    def keep(self, opened: Resolved) -> str:
        """A token for a page's loaded variables, kept for its WebSocket (at most OPENED_PAGES)."""
        token = secrets.token_urlsafe(12)
        self.opened[token] = opened
        while len(self.opened) > OPENED_PAGES:
            self.opened.popitem(last=False)
        return token

    def shown(self, asked: Address, now: float) -> tuple[DashboardFile, Shown, Linked] | None:
        """What a page address shows at time now; None for no such dashboard."""
        dashboard = self.by_uid.get(asked.uid)
        return _shown(dashboard, asked, now) if dashboard else None

    async def answer_http(self, connection: ServerConnection, request: Request) -> Response | None:
        """Pages over plain HTTP; None lets a /ws/<uid> request become a WebSocket."""
        socket = address(request.path, "ws")
        if socket is not None and socket.uid in self.by_uid:
            return None
        if request.path.split("?", 1)[0] == "/":
            return _response(HTTPStatus.OK, _index(self.dashboards))
        asked, now = address(request.path), time.time()
        found = self.shown(asked, now) if asked else None
        if asked is None or found is None:
            return _response(HTTPStatus.NOT_FOUND, "no such dashboard")
        dashboard, shown, link = found
        opened, data, times = await asyncio.to_thread(self.data, dashboard, link, now)
        query = asked.query()  # the pushes keep the page's panel, range and values, and its loaded variables
        live = Live(f"/ws/{dashboard.uid}{query}{'&' if query else '?'}{PAGE_KEY}={self.keep(opened)}")
        notes = (shown.note, *times.notes, *opened.notes)  # a push sends no note
        shown = replace(shown, note=" ".join(text for text in notes if text))
        return _response(HTTPStatus.OK, html(opened.dashboard, data, live=live, shown=shown))

    async def push(self, connection: ServerConnection) -> None:
        """Every refresh interval, the dashboard's (or its viewed panel's) new data, until the page goes away."""
        asked = address(connection.request.path, "ws")  # type: ignore[union-attr]
        dashboard = self.by_uid.get(asked.uid) if asked else None
        if asked is None or dashboard is None:
            return
        interval = dashboard.refresh_seconds or DEFAULT_REFRESH
        token = (parse_qs(urlsplit(connection.request.path).query).get(PAGE_KEY) or [""])[0]  # type: ignore[union-attr]
        loaded = self.opened.pop(token, None)
        loop = asyncio.get_running_loop()
        due = loop.time()
        try:
            while True:
                due += interval  # a fixed cadence: the query's own time does not stretch the interval
                await asyncio.sleep(max(0.0, due - loop.time()))
                now = time.time()  # a relative range (now-1h) moves on with each push; an absolute one stays
                shown, page, link = _shown(dashboard, asked, now)
                loaded, data, _ = await asyncio.to_thread(self.data, shown, link, now, loaded)
                await connection.send(json.dumps({"data": data, "sent": time.time(),
                                                  "rangeText": page.range_text}, allow_nan=False))
        except ConnectionClosed:
            return


def _finish(stop: asyncio.Future[None]) -> None:
    if not stop.done():
        stop.set_result(None)


async def run(dashboards: list[DashboardFile], prometheus_url: str, scrape: float, port: int,
              started: Callable[[str], None]) -> None:
    """Serve on 127.0.0.1:port (0: a free one) until SIGTERM or SIGINT; started(base_url) is called once the
    port listens."""
    live = LiveServer(dashboards, prometheus_url, scrape)
    loop = asyncio.get_running_loop()
    stop: asyncio.Future[None] = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _finish, stop)
    async with serve(live.push, HOST, port, process_request=live.answer_http) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        started(f"http://{HOST}:{bound}")
        await stop
    live.prometheus.close()


def serve_forever(dashboards: list[DashboardFile], prometheus_url: str, scrape: float, port: int,
                  echo: Callable[[str], Any]) -> None:
    """`obsgen preview --serve`: print each page's URL, serve until SIGTERM or Ctrl-C."""
    def started(base: str) -> None:
        echo(f"obsgen preview: serving {counted(len(dashboards), 'dashboard')} on {base}/ (Ctrl-C stops)")
        for dashboard in dashboards:
            refresh = dashboard.document.get("refresh") or f"{DEFAULT_REFRESH:g}s"
            echo(f"  {dashboard.title:<20} {base}{page_path(dashboard)}   pushed every {refresh}")

    asyncio.run(run(dashboards, prometheus_url, scrape, port, started))
