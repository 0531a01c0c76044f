"""The self-contained HTML page of one dashboard: its JSON, its data, uPlot and the drawing code, inlined."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from generator.core.dashboard_variables import template_variables
from generator.preview.dashboard_time import clock, own_range, zone_name
from generator.preview.dashboard_time import range_text as described
from generator.preview.source import DashboardFile

PAGE_WIDTH = 1440
"""Pixels across the page: a laptop screen; Grafana asks one point per pixel, so it also sets query steps."""


@cache
def _asset(name: str) -> str:
    return resources.files("generator.preview").joinpath("assets", name).read_text()


@cache
def _markdown() -> MarkdownIt:
    # Text panels are untrusted input: raw HTML stays text; markdown-it refuses javascript: and data: links.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _template() -> jinja2.Template:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(_asset("page.html.j2"))


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could close it or open a comment."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in panel.items() if key not in ("targets", "panels", "datasource")}
    if panel.get("type") == "text":
        shown["html"] = _markdown().render(str((panel.get("options") or {}).get("content") or ""))
    return shown


def _variables(dashboard: DashboardFile) -> list[dict[str, str]]:
    shown = []
    for variable in template_variables(dashboard.document):
        if variable.get("hide") == 2 or variable.get("type") == "datasource":
            continue
        text = (variable.get("current") or {}).get("text")
        value = ", ".join(map(str, text)) if isinstance(text, list) else str(text or "All")
        shown.append({"label": str(variable.get("label") or variable.get("name")), "value": value})
    return shown


@dataclass(frozen=True)
class Live:
    """Where a served page gets its updates."""

    path: str


def range_text(dashboard: DashboardFile, now: float | None = None) -> str:
    """The time picker's text for the dashboard's own range at time now (the clock's when None;
    dashboard_time.range_text: `Last 24 hours`, `Yesterday`, `Last 6 hours UTC`), as Grafana keeps it (now-6h for
    an end it cannot read)."""
    now = time.time() if now is None else now
    start, end, _ = own_range(dashboard.document, now)
    return described(start, end, clock(dashboard.document)[0], now)


@dataclass(frozen=True)
class Shown:
    """How a served page presents its dashboard: as one panel in Grafana's view mode (that panel's title), a note
    to the reader (a viewPanel that names no panel, a link's range not drawn), and the time picker's text for the
    range a link asked for ("" for the dashboard's own)."""

    view: str = ""
    note: str = ""
    range_text: str = ""


def spec(dashboard: DashboardFile, data: dict[str, dict[str, Any]], highlight: Iterable[int] = (),
         live: Live | None = None, shown: Shown = Shown()) -> dict[str, Any]:
    """Everything the page draws: the dashboard's top-level panels (a collapsed row hides its own) and data."""
    document = dashboard.document
    return {
        "uid": dashboard.uid, "title": dashboard.title, "folder": dashboard.folder,
        "refresh": str(document.get("refresh") or ""), "rangeText": shown.range_text or range_text(dashboard),
        "variables": _variables(dashboard), "panels": [_panel(p) for p in document.get("panels", [])],
        "data": data, "highlight": sorted(highlight), "live": {"path": live.path} if live else None,
        "view": shown.view, "note": shown.note, "timezone": zone_name(clock(document)[0].zone),
    }


def html(dashboard: DashboardFile, data: dict[str, dict[str, Any]], highlight: Iterable[int] = (),
         live: Live | None = None, shown: Shown = Shown()) -> str:
    """The page: one file that opens anywhere, with no network access."""
    title = f"{shown.view} · {dashboard.title}" if shown.view else dashboard.title
    return _template().render(
        title=title, width=PAGE_WIDTH, spec=script_json(spec(dashboard, data, highlight, live, shown)),
        uplot_js=_asset("uPlot.iife.min.js"), uplot_css=_asset("uPlot.min.css"),
        uplot_license=_asset("uPlot.LICENSE"), preview_js=_asset("preview.js"), preview_css=_asset("preview.css"))
