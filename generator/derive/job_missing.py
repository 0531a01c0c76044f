"""An alert over every scrape job the project as compiled has: JobMissing's `absent(up{job=...}) or ...`.

A job with static targets always has `up` (0 while a target is unreachable), so absent(up{job=X}) is true only for
a job whose targets are all gone from discovery, or one Prometheus is not told to scrape. The second is the case the
job list must never make up: a live stack (`obsgen up`) or any profile that drops the jobs of what it does not run
would otherwise page JobMissing for them, in every demo, forever. So the list is not written in the definitions: an
Alert whose expr is EVERY_JOB_ABSENT is given the expression over the scrape jobs of the project when it is loaded,
and again over the jobs a profile keeps (time_compression.apply).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from generator.model import Alert, ScrapeJob
from generator.model.conventions import EVERY_JOB_ABSENT

Obj = TypeVar("Obj")


def every_job_absent(jobs: Iterable[ScrapeJob]) -> str:
    """One absent() per job, in definition order; a job named twice is asked about once."""
    return " or ".join(f'absent(up{{job="{name}"}})' for name in dict.fromkeys(job.name for job in jobs))


def over_jobs(objects: Sequence[Obj], declared: str, jobs: Sequence[ScrapeJob]) -> list[Obj]:
    """The objects with every Alert whose expr is `declared` (EVERY_JOB_ABSENT, or what it was derived into) asking
    about these jobs instead. With no job at all there is nothing to ask about, and the alert is left as it was."""
    expr = every_job_absent(jobs)
    if not expr or expr == declared:
        return list(objects)
    return [obj.model_copy(update={"expr": expr})
            if isinstance(obj, Alert) and obj.expr == declared else obj for obj in objects]


def derived(objects: Sequence[Obj]) -> list[Obj]:
    """The loaded objects with EVERY_JOB_ABSENT written out over their scrape jobs."""
    return over_jobs(objects, EVERY_JOB_ABSENT, [obj for obj in objects if isinstance(obj, ScrapeJob)])
