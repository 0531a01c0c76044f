"""The metrics pipeline's own availability: the share of its self-scrapes that succeeded during a run."""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.bounded_http import json_answer
from generator.core.http_deadline import deadline_for, fetch
from generator.core.wording import counted

ANSWER_BYTES = 2**20
"""Largest answer read: one scalar's vector is a few hundred bytes."""
TIMEOUT = 10.0
"""Seconds to wait for the stack's own Prometheus; the whole request ends by twice that."""


@dataclass(frozen=True)
class Availability:
    """Self-scrapes of one job over a run."""

    job: str
    successful: int
    expected: int
    """Scrapes that should have happened: recorded ones, or more if samples are missing (a server was down)."""

    @property
    def ratio(self) -> float:
        """Successful share of the expected scrapes."""
        return self.successful / self.expected if self.expected else 0.0

    def __str__(self) -> str:
        if not self.expected:
            return f"{self.job}: no scrapes recorded yet"
        return f"{self.job}: {self.ratio:.3%} ({self.successful} of {counted(self.expected, 'scrape')})"


def _scalar(prometheus_url: str, query: str) -> float:
    response = fetch("GET", f"{prometheus_url}/api/v1/query", deadline_for(TIMEOUT), ANSWER_BYTES, timeout=TIMEOUT,
                     params={"query": query})
    response.raise_for_status()
    result = json_answer(response)["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def self_scrapes(prometheus_url: str, job: str, seconds: float, interval: float) -> Availability:
    """How many scrapes of `job` succeeded over the last `seconds`, against how many were due."""
    window = f"{max(1, int(seconds))}s"
    selector = f'up{{job="{job}"}}'
    successful = _scalar(prometheus_url, f"sum(sum_over_time({selector}[{window}]))")
    recorded = _scalar(prometheus_url, f"sum(count_over_time({selector}[{window}]))")
    step = f"{max(1, int(interval))}s"
    span = _scalar(prometheus_url, f"time() - min(min_over_time(timestamp({selector})[{window}:{step}]))")
    due = int(span // interval) + 1 if recorded else 0
    return Availability(job, int(successful), max(int(recorded), due))
