"""Grafana's dashboard addresses, as the preview answers them: `/d/<uid>` and `/d/<uid>/<slug>` (any slug: Grafana
redirects a wrong one to the dashboard's own), and `?viewPanel=<key>`, the one panel in view mode.

Grafana's view mode shows the panel alone, the width of the page and as tall as the screen; it finds the panel by
its key `panel-<id>`, or failing that by the number the key starts with (`7` finds panel-7), inside collapsed rows
too; a key that finds none is reported ("Panel not found") and the whole dashboard shown. The address also carries
the time range (`from`, `to`: timerange.py) and the variables' values (`var-<name>`, repeated for several values of a
multi-value variable: linked.py) a notification's or runbook's link opens the panel at; `orgId`, `refresh` and `tz`
change nothing the preview draws.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from generator.checks.lint.dashboard_json import panels
from generator.preview.queries import GRID_COLUMNS
from generator.preview.source import DashboardFile

VIEW_ROWS = 20
"""Grid rows a viewed panel spans: 20 rows of 30 px and their gaps are 752 px, a laptop screen below the top bar."""
PANEL_KEY = re.compile(r"panel-(\d+)")
LEADING_NUMBER = re.compile(r"\s*\+?(\d+)")
"""What JavaScript's parseInt(key, 10) reads a panel id from, as Grafana's findVizPanelByKey falls back to."""


VARIABLE_KEY = "var-"


@dataclass(frozen=True)
class Address:
    """A dashboard page asked for: the dashboard's uid, the viewPanel key ("" for the whole dashboard), the link's
    from and to ("" when it names none) and its variables' values, by name, in the link's order."""

    uid: str
    view_panel: str = ""
    time_from: str = ""
    time_to: str = ""
    variables: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def query(self) -> str:
        """The query string that asks for this page again (`?viewPanel=<key>&from=..&var-<name>=..`), "" for the
        whole dashboard at its own range and values."""
        pairs = [(key, value) for key, value in (("viewPanel", self.view_panel), ("from", self.time_from),
                                                 ("to", self.time_to)) if value]
        pairs += [(VARIABLE_KEY + name, value) for name, values in self.variables for value in values]
        return "?" + urlencode(pairs) if pairs else ""


def address(target: str, prefix: str = "d") -> Address | None:
    """The page a request target (path and query) names: /<prefix>/<uid> or /<prefix>/<uid>/<slug>; None for any
    other path."""
    parts = urlsplit(target)
    segments = parts.path.split("/")  # "", prefix, uid[, slug]
    if len(segments) not in (3, 4) or segments[0] or segments[1] != prefix or not segments[2]:
        return None
    asked = parse_qs(parts.query, keep_blank_values=True)

    def first(key: str) -> str:
        return (asked.get(key) or [""])[0]

    variables = tuple((key.removeprefix(VARIABLE_KEY), tuple(values)) for key, values in asked.items()
                      if key.startswith(VARIABLE_KEY) and len(key) > len(VARIABLE_KEY))
    return Address(unquote(segments[2]), first("viewPanel"), first("from"), first("to"), variables)


def find_panel(document: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The panel a viewPanel key names (not a row), or None."""
    number = PANEL_KEY.fullmatch(key) or LEADING_NUMBER.match(key)
    if number is None:
        return None
    wanted = int(number.group(1))
    return next((panel for panel in panels(document)
                 if type(panel.get("id")) is int and panel["id"] == wanted and panel.get("type") != "row"), None)


def viewed(dashboard: DashboardFile, panel: dict[str, Any]) -> DashboardFile:
    """The dashboard holding only this panel, the grid's whole width and VIEW_ROWS tall: what view mode draws, and
    whose queries then step as a panel that wide does."""
    shown = {**panel, "gridPos": {"x": 0, "y": 0, "w": GRID_COLUMNS, "h": VIEW_ROWS}}
    return DashboardFile(dashboard.path, dashboard.folder, {**dashboard.document, "panels": [shown]})


def not_found(key: str) -> str:
    """The page's note for a viewPanel key that names no panel."""
    return f"Panel not found: this dashboard has no panel {key!r} (viewPanel), so the whole dashboard is shown"
