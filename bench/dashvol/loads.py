"""Opening a dashboard as Grafana does, against a Prometheus: variables first, then every panel's queries at once.

The requests are the preview's (generator.preview.queries: the dashboard's default time range or a panel's own,
one point per pixel of the panel's width, $__interval and $__rate_interval filled in). Query variables are
resolved first, in order, with the label values API over the dashboard's range (Grafana's label_values()); a
variable left at All is its allValue (the shipped dashboards set .*). Then every target of every panel is sent
at once, at most `parallel` in flight (a browser's connections to one HTTP/1.1 host), and the load lasts until the
last answer. Each query asks Prometheus for its statistics (stats=all), so the samples it touched are known.
A target with `exemplar: true` also costs Grafana a /api/v1/query_exemplars request of its expression over its
range (pkg/promlib/querydata/request.go: fetch runs it beside the range query); it is sent as a query of its own.
"""

from __future__ import annotations

import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from generator.checks.lint.dashboard_json import panels
from generator.core.dashboard_variables import template_variables
from generator.core.grafana_promql import interpolate, variable_names
from generator.core.promql import selectors
from generator.preview.queries import Request, range_seconds, requests_for
from generator.preview.source import DashboardFile

TIMEOUT = 120.0
LABEL_VALUES = re.compile(r"label_values\((?:(.*),\s*)?(\w+)\)")


@dataclass(frozen=True)
class Query:
    """One panel target, ready to send."""

    panel: str
    request: Request
    exemplars: bool = False
    """The target's /api/v1/query_exemplars request, not its range or instant query."""


@dataclass
class Answered:
    """What one query cost."""

    seconds: float
    samples: int
    series: int
    error: str = ""


@dataclass
class Load:
    """One opening of a dashboard."""

    seconds: float
    variables_seconds: float
    answers: list[Answered] = field(default_factory=list)


class Opening:
    """One dashboard's requests against one Prometheus, at a fixed `now` (the end of the written data)."""

    def __init__(self, dashboard: DashboardFile, url: str, now: float, page_width: int, scrape: float) -> None:
        self.dashboard, self.url, self.now = dashboard, url, now
        self.page_width, self.scrape = page_width, scrape
        self.session = requests.Session()
        self.session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

    def _variables(self) -> dict[str, str]:
        """Each variable's value once resolved as Grafana resolves them when the dashboard opens."""
        values = self.dashboard.variable_defaults()
        span = range_seconds(self.dashboard.document, {}, self.now)
        for variable in template_variables(self.dashboard.document):
            found = LABEL_VALUES.fullmatch(str(variable.get("query", ""))) if variable.get("type") == "query" else None
            if found is None:
                continue
            params: dict[str, Any] = {"start": f"{self.now - span:.3f}", "end": f"{self.now:.3f}"}
            if found[1]:
                params["match[]"] = interpolate(found[1], values)
            reply = self.session.get(f"{self.url}/api/v1/label/{found[2]}/values", params=params, timeout=TIMEOUT)
            reply.raise_for_status()
        return values

    def queries(self, values: dict[str, str]) -> list[Query]:
        """Every target of every panel, as sent."""
        found = []
        for panel in panels(self.dashboard.document):
            title = str(panel.get("title") or panel.get("id"))
            for request in requests_for(self.dashboard.document, panel, values, self.now, self.page_width,
                                        self.scrape):
                found.append(Query(title, request))
                if request.exemplars:
                    found.append(Query(f"{title} (exemplars)", request, exemplars=True))
        return found

    def _ask_exemplars(self, request: Request) -> Answered:
        """Grafana's exemplar request of a target: its expression over its range, no statistics."""
        params = {"query": request.expr, "start": f"{request.start:.3f}", "end": f"{request.end:.3f}"}
        started = time.perf_counter()
        try:
            reply = self.session.post(self.url + "/api/v1/query_exemplars", data=params, timeout=TIMEOUT)
            body = reply.json()
        except (requests.RequestException, ValueError) as error:
            return Answered(time.perf_counter() - started, 0, 0, f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - started
        if body.get("status") != "success":
            return Answered(seconds, 0, 0, str(body.get("error") or f"HTTP {reply.status_code}"))
        return Answered(seconds, 0, len(body.get("data") or []))

    def _ask(self, query: Query) -> Answered:
        request = query.request
        if query.exemplars:
            return self._ask_exemplars(request)
        params = {"query": request.expr, "stats": "all"}
        if request.instant:
            path, params["time"] = "/api/v1/query", f"{request.end:.3f}"
        else:
            path = "/api/v1/query_range"
            params |= {"start": f"{request.start:.3f}", "end": f"{request.end:.3f}", "step": f"{request.step:g}"}
        started = time.perf_counter()
        try:
            reply = self.session.post(self.url + path, data=params, timeout=TIMEOUT)
            body = reply.json()
        except (requests.RequestException, ValueError) as error:  # a timeout is the panel's failure, not the run's
            return Answered(time.perf_counter() - started, 0, 0, f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - started
        if body.get("status") != "success":
            return Answered(seconds, 0, 0, str(body.get("error") or f"HTTP {reply.status_code}"))
        data = body.get("data") or {}
        samples = int(((data.get("stats") or {}).get("samples") or {}).get("totalQueryableSamples") or 0)
        return Answered(seconds, samples, len(data.get("result") or []))

    def load(self, parallel: int) -> Load:
        """Open the dashboard once: variables, then every query with at most `parallel` in flight."""
        started = time.perf_counter()
        queries = self.queries(self._variables())
        resolved = time.perf_counter() - started
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            answers = list(pool.map(self._ask, queries))
        return Load(time.perf_counter() - started, resolved, answers)

    def series_touched(self, values: dict[str, str]) -> int:
        """Distinct series the dashboard's selectors match over their ranges (the index work; not timed)."""
        touched: set[tuple[tuple[str, str], ...]] = set()
        for query in self.queries(values):
            if variable_names(query.request.expr) or query.exemplars:  # `$x` left unknown; exemplars: same selectors
                continue
            for selector in selectors(query.request.expr):
                if not selector.name:
                    continue
                back = (selector.window or 300.0) + selector.offset
                text = selector.name + "{" + ",".join(sorted(selector.matchers)) + "}"
                reply = self.session.get(f"{self.url}/api/v1/series", timeout=TIMEOUT, params={
                    "match[]": text, "start": f"{query.request.start - back:.3f}", "end": f"{query.request.end:.3f}"})
                reply.raise_for_status()
                touched |= {tuple(sorted(s.items())) for s in reply.json()["data"]}
        return len(touched)


@dataclass(frozen=True)
class Summary:
    """A dashboard's loads, summarised."""

    title: str
    range_seconds: float
    queries: int
    median: float
    worst: float
    slowest_panel: str
    slowest_expr: str
    slowest_seconds: float
    samples: int
    series: int
    errors: list[str]
    exemplar_requests: int = 0
    """/api/v1/query_exemplars requests of one load (counted among `queries`)."""
    exemplar_seconds: float = 0.0
    """The slowest of them (median over loads)."""


def measure(opening: Opening, loads: int, parallel: int) -> Summary:
    """The dashboard opened `loads` times: median and worst wall time, its slowest query (median over loads)."""
    runs = [opening.load(parallel) for _ in range(loads)]
    queries = opening.queries(opening.dashboard.variable_defaults())
    per_query = [statistics.median(run.answers[k].seconds for run in runs) for k in range(len(queries))]
    slowest = max(range(len(queries)), key=per_query.__getitem__, default=None)
    last = runs[-1].answers
    touched = opening.series_touched(opening.dashboard.variable_defaults())
    opening.session.close()
    errors = sorted({f"{queries[k].panel}: {a.error}" for k, a in enumerate(last) if a.error})
    exemplars = [k for k, query in enumerate(queries) if query.exemplars]
    return Summary(
        title=opening.dashboard.title, range_seconds=range_seconds(opening.dashboard.document, {}, opening.now),
        queries=len(queries), median=statistics.median(r.seconds for r in runs), worst=max(r.seconds for r in runs),
        slowest_panel=queries[slowest].panel if slowest is not None else "",
        slowest_expr=queries[slowest].request.expr if slowest is not None else "",
        slowest_seconds=per_query[slowest] if slowest is not None else 0.0,
        samples=sum(a.samples for a in last), series=touched,
        errors=errors, exemplar_requests=len(exemplars),
        exemplar_seconds=max((per_query[k] for k in exemplars), default=0.0))
