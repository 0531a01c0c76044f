"""Prometheus answers shaped as a panel draws them: one time axis, named series, heatmap buckets de-accumulated."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from generator.preview.queries import Request

LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


@dataclass(frozen=True)
class Answer:
    """What Prometheus returned for one request: its result list, or the error it gave."""

    request: Request
    result: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def series_name(legend: str, labels: dict[str, str], expr: str) -> str:
    """The series' display name as Grafana derives it from legendFormat ({{label}}), or from its labels."""
    if legend and legend != "__auto":
        return LEGEND_LABEL.sub(lambda match: labels.get(match.group(1), ""), legend)
    shown = ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items()) if key != "__name__")
    if not shown:
        return labels.get("__name__") or expr
    return f"{labels.get('__name__', '')}{{{shown}}}"


def _number(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None  # NaN and ±Inf are gaps, as Grafana draws them


def _points(item: dict[str, Any]) -> list[tuple[float, float | None]]:
    pairs = item.get("values") or ([item["value"]] if "value" in item else [])
    return [(round(float(t), 3), _number(v)) for t, v in pairs]  # Prometheus' timestamps are milliseconds


def _grid(request: Request) -> set[float]:
    """The instants a range query is evaluated at, start to end by step: Grafana's time axis spans the panel's
    whole range, answered or not (a timeline of alerts that fired only in the afternoon is not stretched over
    the day)."""
    if request.instant or request.step <= 0:
        return set()
    start = round(request.start, 3)  # as it is sent, in milliseconds
    return {round(start + k * request.step, 3) for k in range(int((request.end - start) // request.step) + 1)}


def _bucket_bound(labels: dict[str, str]) -> float:
    try:
        return float(labels.get("le", "inf"))
    except ValueError:
        return math.inf


def _heatmap(series: list[tuple[dict[str, str], dict[float, float | None]]]
             ) -> list[tuple[dict[str, str], dict[float, float | None]]]:
    """Cumulative `le` buckets turned into counts per bucket, lowest bound first (Grafana's heatmap format)."""
    ordered = sorted(series, key=lambda item: _bucket_bound(item[0]))
    counts = []
    below: dict[float, float | None] = {}
    for labels, points in ordered:
        counts.append((labels, {t: (v - (below.get(t) or 0.0)) if v is not None else None
                                for t, v in points.items()}))
        below = points
    return counts


def panel_data(answers: list[Answer]) -> dict[str, Any]:
    """{"time": [...], "series": [{"name", "refId", "labels", "values"}], "errors": [...], "byTime"} for one panel;
    byTime: whether a barchart bars it by timestamp (some answer is not in `table` format)."""
    errors = [f"{a.request.ref_id}: {a.error}" for a in answers if a.error]
    collected: list[tuple[str, str, dict[str, str], dict[float, float | None]]] = []
    for answer in answers:
        request = answer.request
        series = [(dict(item.get("metric") or {}), dict(_points(item))) for item in answer.result]
        if request.format == "heatmap":
            series = _heatmap(series)
        collected += [(request.ref_id, series_name(request.legend, labels, request.expr), labels, points)
                      for labels, points in series]
    times = sorted({t for *_, points in collected for t in points}.union(*(_grid(a.request) for a in answers)))
    return {
        "time": times,
        "series": [{"refId": ref_id, "name": name, "labels": labels, "values": [points.get(t) for t in times]}
                   for ref_id, name, labels, points in collected],
        "errors": errors,
        # a barchart bars by the frames' first string field, else their time (Grafana's barchart utils.ts):
        # only a `table` answer has its labels as string fields
        "byTime": any(answer.request.format != "table" for answer in answers),
    }
