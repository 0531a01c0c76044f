"""The Prometheus requests a panel makes when its dashboard opens, built as Grafana builds them.

Time range from the dashboard or the link that opened it, with the panel's `timeFrom` and `timeShift` (all read by
dashboard_time.py), one point per pixel of the panel's width but never a step below the data source's scrape
interval, variables at their defaults (or the link's values) and the $__ built-ins filled in, instant or range as
the target says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.grafana_promql import builtin_values, grafana_step, interpolate, time_values
from generator.preview.dashboard_time import Window, clock, dashboard_window, panel_time

GRID_COLUMNS = 24


@dataclass(frozen=True)
class Request:
    """One target of a panel, ready to send: instant at `end`, or range over start..end by step."""

    ref_id: str
    expr: str
    instant: bool
    start: float
    end: float
    step: float
    legend: str
    format: str
    exemplars: bool = False
    """Whether Grafana also asks /api/v1/query_exemplars for the expression over start..end (`exemplar: true`)."""


def panel_window(document: dict[str, Any], panel: dict[str, Any], now: float, window: Window | None = None,
                 variables: dict[str, str] | None = None) -> Window:
    """The range the panel queries at time now: window (a link's) or the dashboard's own, moved by the panel's
    timeFrom and timeShift, their variables filled in from variables (dashboard_time.panel_time)."""
    parent = window or dashboard_window(document, now)[0]
    return panel_time(panel, parent, now, clock(document)[0], variables).window


def range_seconds(document: dict[str, Any], panel: dict[str, Any], now: float) -> float:
    """Seconds the panel shows over the dashboard's own range at time now (its $__range)."""
    shown = panel_window(document, panel, now)
    return shown.end - shown.start


def requests_for(document: dict[str, Any], panel: dict[str, Any], variables: dict[str, str], now: float,
                 page_width: int, scrape: float, window: Window | None = None) -> list[Request]:
    """The requests of every PromQL target of a panel (hidden targets left out), over window (a link's range) when
    one is given, else the dashboard's, as the panel's own timeFrom and timeShift move it."""
    return requests_over(panel, variables, panel_window(document, panel, now, window, variables), page_width, scrape)


def requests_over(panel: dict[str, Any], variables: dict[str, str], shown: Window, page_width: int, scrape: float
                  ) -> list[Request]:
    """The requests of every PromQL target of a panel (hidden targets left out) over shown, the range it queries
    once its own time applies (panel_window)."""
    start, end = shown.start, shown.end
    span = round(end - start, 3)  # Grafana's milliseconds: now-6h..now is 6 h, its step 15 s, not 16
    width = int((panel.get("gridPos") or {}).get("w") or GRID_COLUMNS) * page_width // GRID_COLUMNS
    step = grafana_step(span, max(width, 1), scrape)
    values = {**variables, **builtin_values(span, step, scrape), **time_values(start, end)}
    found = []
    for target in panel.get("targets") or []:
        if target.get("hide") or not target.get("expr"):
            continue
        expr = interpolate(str(target["expr"]), values, keep_unknown=True)  # `$x` unknown is sent as written
        found.append(Request(ref_id=str(target.get("refId", "")), expr=expr, instant=bool(target.get("instant")),
                             start=start, end=end, step=step, legend=str(target.get("legendFormat") or ""),
                             format=str(target.get("format") or "time_series"),
                             exemplars=bool(target.get("exemplar"))))
    return found
