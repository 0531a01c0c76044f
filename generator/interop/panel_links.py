"""Links of an imported dashboard to its own panels (`viewPanel=7`, `viewPanel=panel-7`, `editPanel=`, a d-solo
embed's `panelId=`) pointed at the ids obsgen gives those panels: ids derive from titles, so the old id opens
another panel or none ("Panel not found").

A link is to the same dashboard when its URL names no dashboard (`?viewPanel=7`, `${__url.path}?viewPanel=7`: the
page it is on) or names this one (`/d/<its uid>/...`, `/d/${__dashboard.uid}/...`); a link to another dashboard,
or to another site, keeps its ids, which are that dashboard's. Every `url` of the dashboard's links, its panels'
links and their data links (field config defaults and overrides, kept verbatim) is read.
"""

from __future__ import annotations

import re
from typing import Any

from generator.model import Link, Panel, Row

PANEL_PARAMETER = re.compile(r"([?&](?:viewPanel|editPanel|panelId)=)(panel-)?(\d+)(?=$|[&#])")
DASHBOARD_PATH = re.compile(r"(?:^|/)d(?:-solo)?/([^/?#]+)")
OWN_UID = frozenset({"${__dashboard.uid}", "$__dashboard.uid", "[[__dashboard.uid]]"})


class Relinker:
    """Rewrites the URLs of one dashboard, given its uid in the source and its panels' ids (old -> new)."""

    def __init__(self, uid: str, renumbered: dict[int, int]) -> None:
        self.uid, self.renumbered = uid, renumbered
        self.changed: list[str] = []  # each URL rewritten, as it was

    def url(self, url: str) -> str:
        """The URL with its panel ids renumbered when it links to this dashboard."""
        named = DASHBOARD_PATH.search(url)
        elsewhere = "://" in url if named is None else named.group(1) not in OWN_UID | {self.uid}
        if elsewhere:
            return url

        def renumbered(match: re.Match[str]) -> str:
            old = int(match.group(3))
            return f"{match.group(1)}{match.group(2) or ''}{self.renumbered.get(old, old)}"

        found = PANEL_PARAMETER.sub(renumbered, url)
        if found != url:
            self.changed.append(url)
        return found

    def value(self, value: Any) -> Any:
        """JSON kept verbatim with the URL of every object in it (a link, a data link) rewritten."""
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if not isinstance(value, dict):
            return value
        return {key: self.url(item) if key == "url" and isinstance(item, str) else self.value(item)
                for key, item in value.items()}

    def links(self, links: tuple[Any, ...]) -> tuple[Any, ...]:
        """Model links with their URLs rewritten (an Explore link has none)."""
        return tuple(link.model_copy(update={"url": self.url(link.url)}) if isinstance(link, Link) else link
                     for link in links)

    def panel(self, panel: Panel) -> Panel:
        """A panel with its links' and data links' URLs rewritten."""
        links, extra = self.links(panel.links), self.value(panel.extra)
        if links == panel.links and extra == panel.extra:
            return panel
        return panel.model_copy(update={"links": links, "extra": extra})

    def row(self, row: Row) -> Row:
        """A row with its panels' and its own URLs rewritten."""
        extra = self.value(row.extra)
        return row.model_copy(update={"panels": tuple(map(self.panel, row.panels)), "extra": extra})
