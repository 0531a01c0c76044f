"""Fetching a dashboard's data from Prometheus' HTTP API, every panel's targets as Grafana would send them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import requests

from generator.core.bounded_http import json_answer, shown_url
from generator.core.http_deadline import deadline_for, deadline_session, fetch
from generator.preview.dashboard_time import Timed, timed
from generator.preview.frames import Answer, panel_data
from generator.preview.queries import Request, requests_over
from generator.preview.source import DashboardFile, PreviewError

TIMEOUT = 30.0
ANSWER_BYTES = 64 * 2**20
"""Largest answer to one panel query read: a panel draws at most 11,000 points a series, and 64 MiB hold about 200
series of them; a panel drawing more is unreadable anyway."""
PARALLEL = 4
"""Requests in flight at once: Grafana sends a dashboard's queries concurrently too."""
TEST_QUERY = "1+1"
"""What Grafana's "Save & test" of a Prometheus data source asks, as an instant query (grafana pkg/promlib
healthcheck.go): any Prometheus-compatible API answers it, whatever series it holds."""
TEST_TIMEOUT = 5.0
"""Seconds to connect and to answer TEST_QUERY, which a Prometheus answers in milliseconds: a URL that takes longer
(a firewall dropping packets, a server that never answers) would hold every panel for TIMEOUT instead."""
TEST_BYTES = 2**20


def check_prometheus(base_url: str) -> None:
    """PreviewError, naming the URL (without a password in it), unless base_url answers TEST_QUERY as a Prometheus
    HTTP API does, within TEST_TIMEOUT: drawing from a URL that does not would give every panel the same error."""
    base = base_url.rstrip("/")
    shown = shown_url(base)
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PreviewError(f"{shown!r} is not a Prometheus base URL (http://host:port or https://host/path)")
    try:
        reply = fetch("POST", base + "/api/v1/query", deadline_for(TEST_TIMEOUT), TEST_BYTES,
                      data={"query": TEST_QUERY}, timeout=TEST_TIMEOUT)
    except requests.ConnectTimeout:  # a Timeout too, but nothing was reached
        raise PreviewError(f"cannot reach Prometheus at {shown}: no connection within {TEST_TIMEOUT:g} s") from None
    except requests.exceptions.SSLError:
        raise PreviewError(f"cannot reach Prometheus at {shown}: the TLS handshake failed") from None
    except requests.ConnectionError:
        raise PreviewError(f"cannot reach Prometheus at {shown}: connection refused or host unknown") from None
    except requests.Timeout:
        raise PreviewError(f"Prometheus at {shown} did not answer the query {TEST_QUERY} within "
                           f"{TEST_TIMEOUT:g} s") from None
    except requests.RequestException as error:
        raise PreviewError(f"{shown} does not answer as Prometheus: {type(error).__name__}") from None
    try:
        body = json_answer(reply)
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("status") != "success":
        said = f": {body.get('error')}" if isinstance(body, dict) and body.get("error") else ""
        raise PreviewError(f"{shown} does not answer as Prometheus: POST /api/v1/query ({TEST_QUERY}) answered "
                           f"HTTP {reply.status_code}{said}")


class LookupFailed(Exception):
    """A request got no data: Prometheus' error, or an answer not read (too long, cut, late)."""


class Unreachable(LookupFailed):
    """No connection to Prometheus."""


class Prometheus:
    """A Prometheus HTTP API at base_url (keep-alive session)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        # its errors are the panel's: BodyTooLarge, DeadlinePassed by deadline_for(TIMEOUT), 60 s
        self.session = deadline_session(deadline_for(TIMEOUT), ANSWER_BYTES)

    def ask(self, request: Request) -> Answer:
        """The answer to one request; a query Prometheus rejects is an Answer with its error."""
        params = {"query": request.expr}
        if request.instant:
            path, params["time"] = "/api/v1/query", f"{request.end:.3f}"
        else:
            path = "/api/v1/query_range"
            params |= {"start": f"{request.start:.3f}", "end": f"{request.end:.3f}", "step": f"{request.step:g}"}
        try:
            data = self._data("POST", path, data=params)
        except Unreachable as error:  # every panel would say it: the preview stops
            raise PreviewError(str(error)) from None
        except LookupFailed as error:
            return Answer(request, error=str(error))
        return Answer(request, result=list((data or {}).get("result") or []))

    def metadata(self, path: str, params: tuple[tuple[str, str], ...]) -> Any:
        """The `data` of the answer to GET path with params (a variable's query: label names or values, series, an
        instant query); LookupFailed naming why not, a server not reached included (a note, as any failed lookup:
        the panels' own queries say the rest)."""
        return self._data("GET", path, params=list(params))

    def _data(self, method: str, path: str, **sent: Any) -> Any:
        """The `data` of a successful answer to one request, read within ANSWER_BYTES and TIMEOUT; LookupFailed
        naming why not (Unreachable: no connection)."""
        try:
            reply = self.session.request(method, self.base_url + path, timeout=TIMEOUT, **sent)
            body = json_answer(reply)
        except requests.ConnectionError:
            raise Unreachable(f"cannot reach Prometheus at {shown_url(self.base_url)}") from None
        except (requests.RequestException, ValueError) as error:
            raise LookupFailed(f"{type(error).__name__}: {error}") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            said = body.get("error") if isinstance(body, dict) else None
            raise LookupFailed(str(said or f"HTTP {reply.status_code}"))
        return body.get("data")

    def close(self) -> None:
        """Close the keep-alive connections."""
        self.session.close()


def dashboard_data(prometheus: Prometheus, dashboard: DashboardFile, now: float, page_width: int, scrape: float,
                   variables: dict[str, str] | None = None, times: Timed | None = None) -> dict[str, dict[str, Any]]:
    """Data of every panel with targets, by panel id, at time `now`: the variables at their defaults unless given,
    over the panels' ranges in times (dashboard_time.timed: over a link's window, linked.py; when None, over the
    dashboard's own range, read here); with each its `timeInfo`, the text its header shows for its own timeFrom and
    timeShift. A caller that also shows the ranges' notes passes times, so as to read the ranges once."""
    values = dashboard.variable_defaults() if variables is None else variables
    times = times or timed(dashboard.document, now, values=values)
    work = [(str(panel.get("id")), shown.info, requests_over(panel, values, shown.window, page_width, scrape))
            for panel, shown in times.panels if panel.get("targets")]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        answers = [(panel_id, info, pool.map(prometheus.ask, asked)) for panel_id, info, asked in work]
        return {panel_id: {**panel_data(list(answered)), "timeInfo": info} for panel_id, info, answered in answers}
