"""Dashboard load time, Prometheus' share of it, on the live stack: the plan asks under 2 s per dashboard.

Grafana cannot run here, so this does what Grafana does when a dashboard opens: resolve its template
variables (label_values queries first), then run every panel's query with up to six at a time (a browser's
connections to one host), over the dashboard's default time range, with Grafana's step and
$__interval / $__rate_interval / $__range. The time from the first request to the last answer is measured
per dashboard, over repeated loads, against the plan's 2 s.

Usage: python bench/dashboard_load.py [DASHBOARDS_DIR] [loads]
DASHBOARDS_DIR defaults to the live build's grafana/dashboards (generated once obsgen has the grafana target).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from generator.core.dashboard_variables import template_variables
from generator.live.running import LiveStack, down
from generator.live.stack import Options, up

ROOT = Path(__file__).resolve().parents[1]
PLAN_TARGET = 2.0
BROWSER_CONNECTIONS = 6
MAX_DATA_POINTS = 1000
WARM_UP = 60.0
"""Seconds of live data before the first load, on top of the backfilled history."""
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _seconds(relative: str) -> float:
    """Seconds in a Grafana relative time such as now-24h."""
    found = re.fullmatch(r"now-(\d+)([smhdw])", relative)
    if found is None:
        raise ValueError(f"unsupported time range start {relative!r}")
    return int(found[1]) * _UNITS[found[2]]


def _substitute(expr: str, values: dict[str, str]) -> str:
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", values[name]).replace("$" + name, values[name])
    return expr


class DashboardLoad:
    """One dashboard's queries as Grafana would send them to Prometheus."""

    def __init__(self, dashboard: dict[str, Any], prometheus: str, scrape_interval: float) -> None:
        self.title = str(dashboard.get("title", "?"))
        self.prometheus = prometheus
        self.range = _seconds(dashboard.get("time", {}).get("from", "now-6h"))
        self.step = max(scrape_interval, round(self.range / MAX_DATA_POINTS))
        self.builtins = {"__interval": f"{int(self.step)}s", "__range": f"{int(self.range)}s",
                         "__rate_interval": f"{int(max(self.step + scrape_interval, 4 * scrape_interval))}s"}
        self.variables = [v for v in template_variables(dashboard) if v.get("type") == "query"]
        self.targets = [(t.get("expr", ""), bool(t.get("instant"))) for panel in dashboard.get("panels", [])
                        for t in panel.get("targets", []) if t.get("expr")]

    def _get(self, path: str, params: dict[str, Any]) -> int:
        """Series (or label values) in the answer."""
        response = requests.get(self.prometheus + path, params=params, timeout=30)
        response.raise_for_status()
        data = response.json()["data"]
        return len(data["result"] if isinstance(data, dict) else data)

    def _variable_values(self) -> dict[str, str]:
        values: dict[str, str] = dict(self.builtins)
        for variable in self.variables:
            query = _substitute(str(variable.get("query", "")), values)
            found = re.fullmatch(r"label_values\((?:(.*),\s*)?(\w+)\)", query)
            if found:
                params = {"match[]": found[1]} if found[1] else {}
                self._get(f"/api/v1/label/{found[2]}/values", params)
            current = variable.get("current", {}).get("value")
            chosen_all = current in ("$__all", ["$__all"]) or not current
            values[variable["name"]] = (variable.get("allValue") or ".*") if chosen_all else str(current)
        return values

    def load(self) -> tuple[float, int]:
        """Seconds to resolve the variables and answer every panel query, and how many queries found series."""
        started = time.perf_counter()
        values = self._variable_values()
        now = time.time()

        def run(target: tuple[str, bool]) -> int:
            expr, instant = _substitute(target[0], values), target[1]
            if instant:
                return self._get("/api/v1/query", {"query": expr, "time": now})
            return self._get("/api/v1/query_range", {"query": expr, "start": now - self.range, "end": now,
                                                     "step": self.step})

        with ThreadPoolExecutor(max_workers=BROWSER_CONNECTIONS) as pool:
            found = list(pool.map(run, self.targets))
        return time.perf_counter() - started, sum(1 for series in found if series)


def measure(stack: LiveStack, directory: Path, loads: int) -> list[str]:
    """The table: per dashboard, queries, p50 and p95 load seconds."""
    lines = [f"dashboard load, Prometheus side, {loads} loads each (seconds)",
             f"{'dashboard':<28} {'range':>6} {'queries':>7} {'with data':>9} {'p50':>6} {'p95':>6}"]
    worst = 0.0
    for path in sorted(directory.rglob("*.json")):
        document = json.loads(path.read_text())
        if not isinstance(document, dict) or "panels" not in document:
            continue  # not a dashboard
        dashboard = DashboardLoad(document, stack.urls["prometheus"], stack.scrape_interval)
        loaded = [dashboard.load() for _ in range(loads)]
        times = [seconds for seconds, _ in loaded]
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if loads > 1 else times[0]
        worst = max(worst, p95)
        lines.append(f"{dashboard.title:<28} {int(dashboard.range / 3600):>5}h {len(dashboard.targets):>7} "
                     f"{loaded[-1][1]:>9} {p50:>6.2f} {p95:>6.2f}")
    lines.append(f"plan target, every dashboard under {PLAN_TARGET:g} s: {'met' if worst < PLAN_TARGET else 'missed'} "
                 f"(worst p95 {worst:.2f} s)")
    return lines


def main(directory: Path | None, loads: int) -> None:
    """Bring a stack up, let it gather data, load every dashboard, bring it down."""
    with tempfile.TemporaryDirectory() as state_dir:
        stack = up(Options(definitions=ROOT / "definitions", state_dir=Path(state_dir), free_ports=True))
        try:
            dashboards = directory or stack.out / "grafana" / "dashboards"
            if not any(dashboards.rglob("*.json")):
                print(f"no dashboards in {dashboards}: this obsgen has no grafana target yet")
                return
            time.sleep(WARM_UP)
            print("\n".join(measure(stack, dashboards, loads)))
        finally:
            down(Path(state_dir))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None,
         int(sys.argv[2]) if len(sys.argv) > 2 else 5)
