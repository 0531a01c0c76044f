"""An alert over every scrape job the project as compiled has: an Alert whose `when` is EveryJobAbsent (JobMissing)
gets the expr `absent(up{job="a"}) or ...` over the project's ScrapeJobs.

A job with static targets always has `up` (0 while a target is unreachable), so absent(up{job=X}) is true only for
a job whose targets are all gone from discovery, or one Prometheus is not told to scrape. The second is the case the
job list must never make up: a live stack (`obsgen up`) or any profile that drops the jobs of what it does not run
would otherwise page JobMissing for them, in every demo, forever. So the list is not written in the definitions: the
expr is written when the project is loaded, over its declared jobs, and again over the jobs a profile keeps
(time_compression.apply). With no job to watch there is no expression to write: the loader refuses the alert at
its `when=` line, and a profile that keeps no job is refused naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from generator.core.errors import DefinitionError
from generator.model import Alert, ScrapeJob

Obj = TypeVar("Obj")


def unwatched(alert: Alert) -> str:
    """Why an alert over every scrape job cannot be written in a project with none."""
    return (f"Alert: when: alert {alert.name} watches every scrape job (EveryJobAbsent), but the project has no "
            "ScrapeJob to scrape (none declared, or the build's profile keeps none): there is no job whose `up` it "
            "could ask about; declare the ScrapeJobs Prometheus scrapes, or remove the alert")


def derived(objects: Sequence[Obj]) -> tuple[list[Obj], list[Alert]]:
    """The loaded objects with each alert over every scrape job written out over the ScrapeJobs declared; with none
    declared, the objects without those alerts, and the alerts (which the loader refuses)."""
    jobs = [obj for obj in objects if isinstance(obj, ScrapeJob)]
    if jobs:
        return over_jobs(objects, jobs), []
    refused: list[Alert] = [obj for obj in objects if isinstance(obj, Alert) and obj.when is not None]
    return [obj for obj in objects if not (isinstance(obj, Alert) and obj.when is not None)], refused


def over_jobs(objects: Sequence[Obj], jobs: Sequence[ScrapeJob]) -> list[Obj]:
    """The objects with every Alert over every scrape job (`when=EveryJobAbsent()`) asking about these jobs.
    Raises DefinitionError at the first such alert when there is no job."""
    derived: list[Obj] = []
    for obj in objects:
        if isinstance(obj, Alert) and obj.when is not None:
            if not jobs:
                raise DefinitionError(obj.location, unwatched(obj))
            obj = obj.model_copy(update={"expr": obj.when.over(job.name for job in jobs)})
        derived.append(obj)
    return derived
