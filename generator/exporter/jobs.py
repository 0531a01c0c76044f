"""What a background job is, and how a run can fail: the scheduler records each outcome the same way."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from generator.core.errors import Location
from generator.exporter.cache import Sample
from generator.model import BusinessMetric, Forecast
from generator.model.exporter import Scheduled

STOPPED = "interrupted: the exporter is stopping"
"""Why a run cut short by the exporter's stop failed."""


class JobFailed(Exception):
    """The run failed: the query is wrong or returned something unusable (status "error")."""


class SourceDown(JobFailed):
    """The database or Prometheus could not be reached (status "error", the source's up gauge goes 0)."""


class JobTimeout(JobFailed):
    """The run was cancelled after its timeout (status "timeout")."""


class SourceNotAnswering(SourceDown, JobTimeout):
    """The source took the connection but never answered, not even its own timeout (status "timeout", the
    source's up gauge goes 0): a frozen server or a host lost without a reset."""


class UpGauge(Protocol):
    """The up gauge of the job's source (a prometheus_client Gauge or child)."""

    def set(self, value: float) -> None:
        """Set the gauge."""


class Job(ABC):
    """A SQL query or forecast that runs on its definition's schedule and returns the samples it computed."""

    def __init__(self, definition: BusinessMetric | Forecast, up: UpGauge) -> None:
        self.name = definition.name
        self.schedule: Scheduled = definition
        self.location: Location = definition.location
        self.up = up
        self.database = ""  # the database it reads, if any: a failure while it is down is that outage's

    @abstractmethod
    def run(self, wall_time: float) -> list[Sample]:
        """Compute the samples as of Unix time `wall_time`; raise JobFailed (or a subclass) on failure."""

    @abstractmethod
    def interrupt(self) -> None:
        """End a run in progress, and any later one, at once if it can: the exporter is stopping (called from
        another thread)."""
