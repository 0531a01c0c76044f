"""The Prometheus requests a panel makes when its dashboard opens, built as Grafana builds them.

Time range from the dashboard or the link that opened it (or the panel's relative `timeFrom`), one point per pixel
of the panel's width but never a step below the data source's scrape interval, variables at their defaults (or the
link's values) and the $__ built-ins filled in, instant or range as the target says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.duration import parse_seconds
from generator.core.grafana_promql import UnknownVariable, builtin_values, grafana_step, interpolate

GRID_COLUMNS = 24
DEFAULT_RANGE = 6 * 3600.0
"""Grafana's default time range (now-6h) for a dashboard that names none."""


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
    error: str = ""
    """Why the target cannot be sent (an unknown variable); the panel shows it instead of data."""
    exemplars: bool = False
    """Whether Grafana also asks /api/v1/query_exemplars for the expression over start..end (`exemplar: true`)."""


def range_seconds(document: dict[str, Any], panel: dict[str, Any], now: float) -> float:
    """Seconds the panel shows: its own relative time (timeFrom; `now/d` is since midnight, UTC here) or the
    dashboard's `now-X`."""
    text = panel.get("timeFrom") or str((document.get("time") or {}).get("from", "")).removeprefix("now-")
    if text == "now/d":
        return now % 86400 or 86400.0
    try:
        return parse_seconds(str(text))
    except ValueError:
        return DEFAULT_RANGE


def requests_for(document: dict[str, Any], panel: dict[str, Any], variables: dict[str, str], now: float,
                 page_width: int, scrape: float, window: tuple[float, float] | None = None) -> list[Request]:
    """The requests of every PromQL target of a panel (hidden targets left out), over window (a link's from and
    to) when one is given, unless the panel keeps its own relative time (timeFrom, always up to now in Grafana)."""
    if window is None or panel.get("timeFrom"):
        span = range_seconds(document, panel, now)
        start, end = now - span, now
    else:
        start, end = window
        span = round(end - start, 3)  # Grafana's milliseconds: now-6h..now is 6 h, its step 15 s, not 16
    width = int((panel.get("gridPos") or {}).get("w") or GRID_COLUMNS) * page_width // GRID_COLUMNS
    step = grafana_step(span, max(width, 1), scrape)
    values = {**variables, **builtin_values(span, step, scrape)}
    found = []
    for target in panel.get("targets") or []:
        if target.get("hide") or not target.get("expr"):
            continue
        expr, error = str(target["expr"]), ""
        try:
            expr = interpolate(expr, values)
        except UnknownVariable as unknown:
            error = f"unknown variable ${unknown.args[0]}"
        found.append(Request(ref_id=str(target.get("refId", "")), expr=expr, instant=bool(target.get("instant")),
                             start=start, end=end, step=step, legend=str(target.get("legendFormat") or ""),
                             format=str(target.get("format") or "time_series"), error=error,
                             exemplars=bool(target.get("exemplar"))))
    return found
