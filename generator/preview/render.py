"""`obsgen preview --out DIR`: every dashboard written as DIR/<folder>/<uid>.html and .png."""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.checks.lint.dashboard_json import panels
from generator.core.planted_links import first_link
from generator.package.tree import contained
from generator.preview.browser import Chromium
from generator.preview.dashboard_time import timed
from generator.preview.page import PAGE_WIDTH, Shown, html
from generator.preview.prometheus import Prometheus, dashboard_data
from generator.preview.source import DashboardFile, PreviewError
from generator.preview.variables import resolve


@dataclass(frozen=True)
class Rendered:
    """One dashboard's files, how long its data and its drawing took, and what the console said."""

    dashboard: DashboardFile
    html: Path
    png: Path
    size: tuple[int, int]
    fetch_seconds: float
    draw_seconds: float
    """Writing the HTML, loading it in Chromium until drawn, and the PNG: the part that must stay under 2 s."""
    console_errors: tuple[str, ...]
    panel_errors: dict[str, list[str]]
    """By panel id, the errors its queries got ("B: <Prometheus' error>"): the panel is drawn without that data."""
    variable_notes: tuple[str, ...] = ()
    """A note for each query variable whose query failed (variables.py): drawn with its value without options."""
    time_notes: tuple[str, ...] = ()
    """A note for each time expression (the dashboard's range or time zone, a panel's timeFrom or timeShift) the
    preview could not read (dashboard_time.py): drawn over Grafana's fallback."""

    def query_errors(self) -> list[tuple[str, str, str]]:
        """(panel title, refId, error) of each query that got an error, the panel named as a reader finds it in
        the picture (by its title; "#<id>" when it has none)."""
        titles = {str(panel.get("id")): str(panel.get("title") or f"#{panel.get('id')}")
                  for panel in panels(self.dashboard.document)}
        return [(titles.get(panel, f"#{panel}"), *error.partition(": ")[::2])  # "<refId>: <error>", as shown
                for panel, errors in self.panel_errors.items() for error in errors]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _page(dashboard: DashboardFile) -> str:
    """<folder>/<uid>.html, relative to out: never absolute, never through '..'."""
    try:
        return contained(f"{dashboard.folder}/{dashboard.uid}.html")
    except ValueError as error:
        raise PreviewError(f"{dashboard.path}: {error} (its folder or uid is not a plain name)") from None


def render(dashboards: list[DashboardFile], prometheus_url: str, out: Path, now: float, scrape: float,
           highlight: Mapping[str, set[int]] | None = None) -> Iterator[Rendered]:
    """Fetch, draw and photograph each dashboard in turn (one browser for all); yields each as it is done. Every
    file is written inside out (PreviewError, before anything is written, for a folder or uid that would not be,
    or a symbolic link on the way).
    The browser keeps the machine's time zone: a page draws its axes in its dashboard's zone whatever the
    browser's (dashboard_time.zone_name, uPlot's tzDate)."""
    pages = [out / _page(dashboard) for dashboard in dashboards]
    for dashboard, page in zip(dashboards, pages, strict=True):
        if (link := first_link(out, page, page.with_suffix(".png"))) is not None:  # (--out may be a checkout's)
            raise PreviewError(f"{dashboard.path}: {link} is a symbolic link: preview writes only inside {out}, "
                               "never through a link (remove it)")
    prometheus = Prometheus(prometheus_url)
    try:
        with Chromium() as browser:
            tab = browser.tab()
            for dashboard, page in zip(dashboards, pages, strict=True):
                started = time.perf_counter()
                opened = resolve(prometheus, dashboard, dashboard.variable_defaults(), frozenset(), None, now, scrape)
                times = timed(opened.dashboard.document, now, values=opened.values)
                data = dashboard_data(prometheus, opened.dashboard, now, PAGE_WIDTH, scrape, opened.values, times=times)
                fetched = time.perf_counter()
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(html(opened.dashboard, data, (highlight or {}).get(dashboard.uid, set()),
                                     shown=Shown(note=" ".join((*times.notes, *opened.notes)))))
                try:
                    tab.load(page.resolve().as_uri(), PAGE_WIDTH)
                    picture = tab.screenshot()
                except PreviewError as error:
                    raise PreviewError(f"{dashboard.path}: {error}") from None
                png = page.with_suffix(".png")
                png.write_bytes(picture)
                yield Rendered(dashboard, page, png, png_size(picture), fetched - started,
                               time.perf_counter() - fetched, tuple(tab.errors),
                               {panel: found["errors"] for panel, found in data.items() if found["errors"]},
                               opened.notes, times.notes)
    finally:
        prometheus.close()
