"""What names an imported dashboard's own panels by id, pointed at the ids obsgen gives those panels: ids derive
from titles, so the old id opens another panel or none ("Panel not found").

Two things name a panel by id: a link (`viewPanel=7`, Grafana 10+'s `viewPanel=panel-7`, a repeat clone's
`viewPanel=panel-7-clone-2`, `editPanel=`, a d-solo embed's `panelId=`) and a panel showing another panel's
queries (the "-- Dashboard --" data source, its targets' `panelId`, which Grafana's DashboardQueryRunner finds by
id). Both are rewritten in one pass over the panels read, from one mapping (old id -> new id, the first panel read
with an id, as Grafana's getPanelById finds it), so a link and a query can never name a panel apart.

A repeat clone's key is the repeated panel's key with `-clone-<index>` (Grafana's getCloneKey), the index being the
clone's place among the repeat variable's values: the index is kept, the panel's id renumbered.

A panel written without an id, or with one a panel before it has, is named by the id Grafana gives it as it loads
the dashboard (panel_reader.loaded_ids); a link naming an id no panel has opens none, and a "-- Dashboard --" query
naming one shows no data: each is noted at its line.

A link is to the same dashboard when its URL names no dashboard (`?viewPanel=7`, `${__url.path}?viewPanel=7`: the
page it is on) or names this one (`/d/<its uid>/...`, `/d/${__dashboard.uid}/...`); a link to another dashboard,
or to another site, keeps its ids, which are that dashboard's. Every `url` of the dashboard's links, its panels'
links and their data links (field config defaults and overrides, kept verbatim) is read.
"""

from __future__ import annotations

import re
from typing import Any

from generator.interop.notes import Notes
from generator.interop.panel_reader import Sources
from generator.model import Link, Panel, Row

PANEL_PARAMETER = re.compile(r"([?&](?:viewPanel|editPanel|panelId)=)(panel-)?(\d+)(-clone-\d+)?(?=$|[&#])")
DASHBOARD_PATH = re.compile(r"(?:^|/)d(?:-solo)?/([^/?#]+)")
OWN_UID = frozenset({"${__dashboard.uid}", "$__dashboard.uid", "[[__dashboard.uid]]"})
LINKS = "links to this dashboard's panels by their old ids (viewPanel=, editPanel=, panelId=) now name their new ids"
NAMES_NONE = ("links to this dashboard's panels by ids no panel has, even as Grafana loads it (viewPanel=, editPanel=, "
              "panelId=), kept as written: they open no panel")
READS = "panels showing another panel's queries (-- Dashboard --) now name that panel's new id"
READS_NONE = ("panels showing another panel's queries (-- Dashboard --) by an id no panel has, even as Grafana loads "
              "it, kept as written: they show no data")


class Relinker:
    """Rewrites what names one dashboard's panels by id, given its uid in the source and its panels' ids (old ->
    new), noting each link and panel it changes at the line of the panel (`wheres`: a model panel's or row's title
    -> where Notes finds it in the source) or field (`at`) being rewritten."""

    def __init__(self, uid: str, renumbered: dict[int, int], notes: Notes, wheres: dict[str, str]) -> None:
        self.uid, self.renumbered, self.notes, self.wheres = uid, renumbered, notes, wheres
        self.at = ""

    def url(self, url: str) -> str:
        """The URL with its panel ids renumbered when it links to this dashboard."""
        named = DASHBOARD_PATH.search(url)
        elsewhere = "://" in url if named is None else named.group(1) not in OWN_UID | {self.uid}
        if elsewhere:
            return url

        def renumbered(match: re.Match[str]) -> str:
            old = int(match.group(3))
            if old not in self.renumbered:
                self.notes.add(NAMES_NONE, repr(url), at=self.at)
            return f"{match.group(1)}{match.group(2) or ''}{self.renumbered.get(old, old)}{match.group(4) or ''}"

        found = PANEL_PARAMETER.sub(renumbered, url)
        if found != url:
            self.notes.add(LINKS, repr(url), at=self.at)
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

    def _reads(self, panel: Panel, extra: dict[str, Any]) -> dict[str, Any]:
        """A panel's verbatim JSON with its "-- Dashboard --" targets (kept verbatim) naming the panel they read by
        its new id."""
        targets, default = extra.get("targets"), extra.get("datasource")
        if not isinstance(targets, list):
            return extra
        reads = [index for index, target in enumerate(targets) if isinstance(target, dict)
                 and Sources.is_dashboard(target.get("datasource", default)) and type(target.get("panelId")) is int]
        for index in (index for index in reads if targets[index]["panelId"] not in self.renumbered):
            path = getattr(self.at, "path", "")
            self.notes.add(READS_NONE, f"{panel.title!r} panelId={targets[index]['panelId']}",
                           at=f"{path}.targets[{index}].panelId" if path else self.at)
        moved = [target | {"panelId": self.renumbered[target["panelId"]]}
                 if index in reads and target["panelId"] in self.renumbered else target
                 for index, target in enumerate(targets)]
        if moved == targets:
            return extra
        self.notes.add(READS, repr(panel.title), at=self.at)
        return {**extra, "targets": moved}

    def panel(self, panel: Panel) -> Panel:
        """A panel with its links', data links' and "-- Dashboard --" queries' panel ids rewritten."""
        self.at = self.wheres.get(panel.title, "")
        links, extra = self.links(panel.links), self._reads(panel, self.value(panel.extra))
        if links == panel.links and extra == panel.extra:
            return panel
        return panel.model_copy(update={"links": links, "extra": extra})

    def row(self, row: Row) -> Row:
        """A row with its panels' and its own URLs rewritten."""
        self.at = self.wheres.get(row.title, "")
        extra = self.value(row.extra)
        return row.model_copy(update={"panels": tuple(map(self.panel, row.panels)), "extra": extra})
