"""History from Prometheus' HTTP API: query_range on a fixed step grid, with gaps as NaN."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt
import requests

from generator.core.bounded_http import AnswerCut, UnreadableAnswer, json_answer
from generator.core.http_deadline import DeadlinePassed, deadline_for, deadline_session
from generator.exporter.forecast import FloatArray
from generator.exporter.jobs import STOPPED, JobFailed, JobTimeout, SourceDown

MAX_POINTS_PER_REQUEST = 11_000  # Prometheus refuses query_range answers with more points per series
ANSWER_BYTES = 256 * 2**20
"""Largest query_range answer read: the most one request of a forecast may hold, 1,000 series (max_series' ceiling)
of 11,000 points at about 24 bytes a point (`[1733443200,"12.5"],`), is 250 MiB; the job refuses more series
anyway. A Prometheus (or a wrong URL) answering without end stops here instead of filling the memory."""
FIRST_RETRY = 0.5
"""Seconds before asking a Prometheus that is not ready yet again; doubled each time, up to LONGEST_RETRY."""
LONGEST_RETRY = 10.0
PROMETHEUS_TIMEOUTS = ("timeout", "canceled")
"""errorType of a query Prometheus itself stopped (its query.timeout, or overload): the query's, not an outage."""
STOP_POLL = 0.1
"""Seconds between two looks at `stopping` while waiting for Prometheus' answer."""
log = logging.getLogger("obsgen.exporter")


@dataclass(frozen=True)
class History:
    """One series returned by query_range, on the grid start, start + step, ..., end: its labels without the
    metric name, which is `name` ("" for a series a function made)."""

    labels: dict[str, str]
    values: FloatArray
    end: float
    step: float
    name: str = ""
    answered: npt.NDArray[np.bool_] | None = None
    """The grid points Prometheus returned a sample at, NaN ones (a 0/0 ratio) included; None: the finite ones."""


def grid(start: float, end: float, step: float) -> FloatArray:
    """Timestamps of the evaluation grid from start to end inclusive."""
    count = round((end - start) / step) + 1
    return start + step * np.arange(count, dtype=np.float64)


class PrometheusClient:
    """A small query_range client; connection problems are SourceDown, rejected queries JobFailed, queries not
    answered in time (by the client's timeout or Prometheus' own) JobTimeout."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url.rstrip("/")
        self.shown = without_userinfo(self.url)
        """The URL as logs and messages show it: a user and password in it stay out of them."""
        self.timeout = timeout
        self.stopping = threading.Event()
        """Set when the exporter stops: queries waiting for an answer give up at once (see stop())."""
        self._session = deadline_session(deadline_for(timeout), ANSWER_BYTES)
        """Each request ends by twice its timeout: the query's time, and as much again for its answer."""

    def stop(self) -> None:
        """End every wait for an answer now, with STOPPED: the exporter no longer serves what they would compute."""
        self.stopping.set()

    def wait_ready(self, sleep: Callable[[float], bool]) -> bool:
        """Ask Prometheus whether it is ready until it is, backing off from FIRST_RETRY to LONGEST_RETRY seconds,
        and log one line when it is; False if `sleep` (which returns whether to stop) says stop first."""
        started, delay, told = time.monotonic(), FIRST_RETRY, False
        while True:
            try:  # the status only: the body is not read
                with self._session.request("GET", f"{self.url}/-/ready", timeout=self.timeout, stream=True,
                                           deadline=deadline_for(self.timeout)) as response:
                    ready, answer = response.status_code == 200, f"HTTP {response.status_code}"
            except requests.RequestException as error:  # its text may hold the URL's user part: its kind only
                ready, answer = False, f"no answer: {type(error).__name__}"
            if ready:
                log.info("connected to Prometheus at %s after %.1f s", self.shown, time.monotonic() - started)
                return True
            if not told:  # one line: a Prometheus still starting is no error, one that is elsewhere must be seen
                log.info("forecasts wait for Prometheus at %s (/-/ready: %s); they start once it answers (another "
                         "address: ExporterSettings.prometheus_url or --prometheus-url)", self.shown, answer)
                told = True
            if sleep(delay):
                return False
            delay = min(2 * delay, LONGEST_RETRY)

    def _answer(self, params: dict[str, str], timeout: float) -> requests.Response:
        """The query_range's response, waited for on a daemon thread of its own: a request in flight cannot be cut
        from another thread, so stop() ends the wait instead and leaves the request to end at its timeout (nothing
        waits for that thread, and it holds nothing: the process may exit under it). Its deadline ends it
        (DeadlinePassed, a Timeout: JobTimeout) when Prometheus answers without end."""
        outcome: list[requests.Response | requests.RequestException] = []

        def fetch() -> None:
            try:
                outcome.append(self._session.request("GET", f"{self.url}/api/v1/query_range", params=params,
                                                     timeout=timeout, deadline=deadline_for(timeout)))
            except requests.RequestException as failure:
                outcome.append(failure)

        thread = threading.Thread(target=fetch, name="obsgen-query-range", daemon=True)
        thread.start()
        while thread.is_alive():
            if self.stopping.is_set():
                raise JobFailed(STOPPED)
            thread.join(STOP_POLL)
        if not outcome:  # fetch raised something requests did not wrap: let it show as the bug it is
            raise RuntimeError("query_range ended without a response or an error")
        if isinstance(outcome[0], requests.RequestException):
            raise outcome[0]
        return outcome[0]

    def _get(self, params: dict[str, str], timeout: float) -> list[dict[str, Any]]:
        try:
            response = self._answer(params, timeout)
        except requests.ConnectTimeout:  # a Timeout too, but nothing was reached
            raise SourceDown(f"Prometheus at {self.shown} unreachable: ConnectTimeout") from None
        except DeadlinePassed as failure:  # answering, without end or a byte at a time
            raise JobTimeout(str(failure)) from None
        except requests.Timeout:  # connected, and still computing: this query is slow, Prometheus is up
            raise JobTimeout(f"Prometheus did not answer within {timeout:g}s") from None
        except UnreadableAnswer as failure:  # answered, too much or undecodable: the query's or URL's, not an outage
            raise JobFailed(str(failure)) from None
        except AnswerCut as failure:  # the connection broke mid-answer: as when it cannot be made
            raise SourceDown(str(failure)) from None
        except requests.RequestException as failure:
            raise SourceDown(f"Prometheus at {self.shown} unreachable: {type(failure).__name__}") from None
        try:
            body = json_answer(response)
        except ValueError as unread:  # a proxy's HTML error page is the status's to tell; a 200 is the answer's
            if response.status_code == 200:
                raise JobFailed(f"Prometheus' answer is not read: {unread}") from None
            body = {}
        body = body if isinstance(body, dict) else {}
        error = str(body.get("error", ""))
        if body.get("errorType") in PROMETHEUS_TIMEOUTS:
            raise JobTimeout(f"Prometheus gave up on the query: {error}")
        if response.status_code in (400, 422):
            raise JobFailed(f"Prometheus rejected the query: {error or response.text[:200]}")
        if response.status_code != 200 or body.get("status") != "success":
            raise SourceDown(f"Prometheus at {self.shown} answered HTTP {response.status_code}"
                             + (f": {error}" if error else ""))
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def query_range(
        self, expr: str, start: float, end: float, step: float, timeout: float | None = None
    ) -> list[History]:
        """Every series of `expr` on the grid start..end, split in requests of at most 11,000 points."""
        times = grid(start, end, step)
        series: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        for first in range(0, times.size, MAX_POINTS_PER_REQUEST):
            chunk = times[first : first + MAX_POINTS_PER_REQUEST]
            params = {"query": expr, "start": _stamp(chunk[0]), "end": _stamp(chunk[-1]), "step": _stamp(step)}
            for item in self._get(params, timeout or self.timeout):
                # a series is its whole label set, name included: {__name__=~"a|b"} may return two with equal labels
                metric: dict[str, str] = item["metric"]
                entry = series.setdefault(tuple(sorted(metric.items())), {"metric": metric, "points": []})
                entry["points"].extend(item["values"])
        result = []
        for entry in series.values():
            values, answered = np.full(times.size, np.nan), np.zeros(times.size, dtype=bool)
            for stamp, value in entry["points"]:
                index = round((float(stamp) - start) / step)
                if 0 <= index < times.size:
                    values[index], answered[index] = float(value), True
            labels = {k: v for k, v in entry["metric"].items() if k != "__name__"}
            result.append(History(labels, values, end, step, entry["metric"].get("__name__", ""), answered))
        return result


def without_userinfo(url: str) -> str:
    """`url` without the user and password part of its authority."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _stamp(seconds: float) -> str:
    return f"{seconds:.3f}" if not math.isclose(seconds, round(seconds)) else str(round(seconds))
