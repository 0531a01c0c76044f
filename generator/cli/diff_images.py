"""`obsgen diff --images DIR`: each changed dashboard drawn from both builds, its changed panels outlined."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from generator.analysis.diff.changes import OutTree
from generator.analysis.diff.compare import Draw, Drawing, Failure, Picture
from generator.analysis.diff.dashboards import DASHBOARDS_DIR, changed_dashboards, changed_panel_ids
from generator.build import load
from generator.core.bounded_http import shown_url
from generator.live.demo_prometheus import demo_prometheus
from generator.preview.prometheus import check_prometheus
from generator.preview.render import Rendered, render
from generator.preview.source import DashboardFile, dashboard_file, scrape_interval


def _draw_side(tree: OutTree, paths: list[str], outlined: dict[str, set[str]], prometheus_url: str, into: Path,
               now: float) -> dict[str, Rendered]:
    root = tree.root / DASHBOARDS_DIR
    found: list[DashboardFile] = [dashboard_file(tree.root / path, root) for path in paths if path in tree.files]
    highlight = {d.uid: {int(i) for i in outlined[str(d.path.relative_to(tree.root))] if i.isdigit()} for d in found}
    drawn = render(found, prometheus_url, into, now, scrape_interval(tree.root / "grafana"), highlight)
    return {str(done.dashboard.path.relative_to(tree.root)): done for done in drawn}


def _failures(side: str, done: Rendered | None) -> list[Failure]:
    """What did not draw on one side of a picture: each time expression not read, each query variable's failed
    query, each panel query's error (the panel named by its title, as a reviewer finds it in the picture), then what
    the browser's console said (its first line: an exception's stack is for the preview's developers)."""
    if done is None:
        return []
    found = [Failure(f"{side}, time", note) for note in done.time_notes]
    found += [Failure(f"{side}, variables", note) for note in done.variable_notes]
    found += [Failure(f"{side}, panel {title!r}, query {ref_id}", said) for title, ref_id, said in done.query_errors()]
    return found + [Failure(f"{side}, browser console", (error.splitlines() or [""])[0])
                    for error in done.console_errors]


def _series_read(tree: OutTree, paths: list[str]) -> set[str]:
    root = tree.root / DASHBOARDS_DIR
    return set().union(*(dashboard_file(tree.root / p, root).series_read() for p in paths if p in tree.files))


@contextmanager
def _prometheus(url: str, definitions: Path, series: set[str], now: float) -> Iterator[str]:
    if url:
        yield url
        return
    with demo_prometheus(load(definitions), series, int(now)) as started:
        yield started


def drawn_at(text: str) -> float | None:
    """--at: Unix seconds, or an RFC 3339 time with its offset (as promtool query's --time takes); None for ""."""
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError(f"--at {text!r}: not Unix seconds nor an RFC 3339 time (2026-01-01T00:00:00Z)")
        return seconds
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--at {text!r}: not Unix seconds nor an RFC 3339 time (2026-01-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        raise ValueError(f"--at {text!r}: say the time zone (Z or +01:00): the pictures' range ends there")
    return moment.timestamp()


def drawer(into: Path, prometheus_url: str, definitions: Path, at: float | None = None) -> Draw:
    """Draws into into/before and into/after from prometheus_url, or from a temporary Prometheus holding demo
    history (of the work tree's definitions) of every series the changed dashboards read; each dashboard's time
    range ends at `at` (default: now). A prometheus_url that does not answer as Prometheus is a PreviewError here,
    before both sides are built."""
    if prometheus_url:
        check_prometheus(prometheus_url)
    shown = shown_url(prometheus_url) if prometheus_url else ""

    def draw(base: OutTree, head: OutTree) -> Drawing:
        now = time.time() if at is None else at
        paths = changed_dashboards(base, head)
        if not paths:
            return Drawing((), shown, now, at is not None)
        outlined = {path: changed_panel_ids(base.document(path), head.document(path)) for path in paths}
        series = _series_read(base, paths) | _series_read(head, paths)
        with _prometheus(prometheus_url, definitions, series, now) as url:
            before = _draw_side(base, paths, {p: ids[0] for p, ids in outlined.items()}, url, into / "before", now)
            after = _draw_side(head, paths, {p: ids[1] for p, ids in outlined.items()}, url, into / "after", now)
        pictures = tuple(
            Picture(str((head.document(path) or base.document(path) or {}).get("title") or path),
                    _png(before.get(path)), _png(after.get(path)),
                    tuple(_failures("before", before.get(path)) + _failures("after", after.get(path))))
            for path in paths)
        return Drawing(pictures, shown, now, at is not None)
    return draw


def _png(done: Rendered | None) -> Path | None:
    return done.png if done is not None else None
