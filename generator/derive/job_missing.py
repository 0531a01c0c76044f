"""An alert over every scrape job the project as compiled has: an Alert whose `when` is EveryJobAbsent (JobMissing)
gets the expr `absent(up{job="a"}) or ...` over the project's ScrapeJobs.

A job with static targets always has `up` (0 while a target is unreachable), so absent(up{job=X}) is true only for
a job whose targets are all gone from discovery, or one Prometheus is not told to scrape. The second is the case the
job list must never make up: a live stack (`obsgen up`) or any profile that drops the jobs of what it does not run
would otherwise page JobMissing for them, in every demo, forever. So the list is not written in the definitions: the
expr is written when the project is loaded, over its declared jobs, and again over the jobs a profile keeps
(time_compression.apply). With no job to watch there is no expression to write: the loader refuses the alert at
its `when=` line, and a profile that keeps no job is refused naming it.

Its examples follow the same list: an example's input is written by one team, over the jobs it knew of, and another
team's ScrapeJob (in its own module) would be absent from every example, firing JobMissing for it where the example
expects silence, at the first team's lines. So each example gets an answering target (`up` 1 until past its `at`)
of every job written in the expr that none of the alert's examples names: a job they say nothing of is one that is
there. (A job some example names is the author's to write: one example leaves it out to show it missing.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeGuard, TypeVar, cast

from generator.core.duration import parse_seconds
from generator.core.errors import DefinitionError
from generator.core.promql import PromQLError, parse
from generator.model import Alert, Example, ScrapeJob

Obj = TypeVar("Obj")


def unwatched(alert: Alert) -> str:
    """Why an alert over every scrape job cannot be written in a project with none."""
    return (f"Alert: when: alert {alert.name} watches every scrape job (EveryJobAbsent), but the project has no "
            "ScrapeJob to scrape (none declared, or the build's profile keeps none): there is no job whose `up` it "
            "could ask about; declare the ScrapeJobs Prometheus scrapes, or remove the alert")


def over_every_job(obj: object) -> TypeGuard[Alert]:
    """Whether an object is an Alert over every scrape job (`when=EveryJobAbsent()`), whose expr is written here."""
    return isinstance(obj, Alert) and obj.when is not None


def derived(objects: Sequence[Obj]) -> tuple[list[Obj], list[Alert]]:
    """The loaded objects with each alert over every scrape job written out over the ScrapeJobs declared; with none
    declared, the objects without those alerts, and the alerts (which the loader refuses)."""
    jobs = [obj for obj in objects if isinstance(obj, ScrapeJob)]
    if jobs:
        return over_jobs(objects, jobs), []
    refused: list[Alert] = [obj for obj in objects if over_every_job(obj)]
    return [obj for obj in objects if not over_every_job(obj)], refused


def over_jobs(objects: Sequence[Obj], jobs: Sequence[ScrapeJob]) -> list[Obj]:
    """The objects with every Alert over every scrape job (`when=EveryJobAbsent()`) asking about these jobs.
    Raises DefinitionError at the first such alert when there is no job."""
    derived: list[Obj] = []
    for obj in objects:
        if over_every_job(obj):
            if not jobs:
                raise DefinitionError(obj.location, unwatched(obj))
            assert obj.when is not None  # over_every_job's
            obj = cast(Obj, obj.model_copy(update={"expr": obj.when.over(job.name for job in jobs),
                                                   "examples": answering(obj.examples, jobs)}))
        derived.append(obj)
    return derived


def _up_job(selector: str) -> str | None:
    """The job of an example's input series of `up`; None for another series (or one promtool would refuse)."""
    try:
        node = parse(selector)
    except PromQLError:
        return None
    if type(node).__name__ != "VectorSelector" or node.name != "up":
        return None
    return next((str(m.value) for m in node.matchers.matchers if m.name == "job"), None)


def answering(examples: Sequence[Example], jobs: Sequence[ScrapeJob]) -> tuple[Example, ...]:
    """The examples, each with a target answering (`up` 1 from the start until past its `at`) of each job that no
    example's input names; as they are when the examples name every job."""
    named = {_up_job(selector) for example in examples for selector in example.series}
    unnamed = [job for job in jobs if job.name not in named]
    if not unnamed:
        return tuple(examples)
    answered = []
    for example in examples:
        steps = math.ceil(parse_seconds(example.at) / parse_seconds(example.interval)) + 1
        added = {f'up{{job="{job.name}",instance="{job.targets[0]}"}}': f"1x{steps}" for job in unnamed}
        answered.append(example.model_copy(update={"series": {**example.series, **added}}))
    return tuple(answered)
