"""Runs every job on its own interval on a few worker threads, and records each outcome (cache, self-metrics, log).

The workers are daemon threads: stopping waits for the runs in progress only as long as it was told to,
and a run that does not end then (a forecast computing a long series) does not keep the process alive.
"""

from __future__ import annotations

import heapq
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from generator.core.duration import parse_seconds
from generator.exporter import allocator
from generator.exporter.cache import ResultCache
from generator.exporter.jobs import Job, JobFailed, JobTimeout, SourceDown
from generator.library.exporter import SELF_METRICS

log = logging.getLogger("obsgen.exporter")
STATUSES = ("success", "error", "timeout")
LEFT_RUNNING_AT_STOP = "still running when stop's wait ended: the exporter exits without them"
"""Logged by Scheduler.stop, after the runs' names, when an interrupted run outlives its wait: a stop that
interrupts every run in progress never logs it."""


@dataclass(frozen=True)
class SelfMetrics:
    """The exporter's own instruments, named and documented as generator.library.exporter declares them."""

    duration: Histogram
    runs: Counter
    missed: Counter
    last_success: Gauge
    failing_runs: Gauge
    database_up: Gauge
    prometheus_up: Gauge

    @classmethod
    def register(cls, registry: CollectorRegistry) -> SelfMetrics:
        """Create the instruments in `registry`."""
        declared = {metric.name: metric for metric in SELF_METRICS}

        def doc(name: str) -> tuple[str, str, tuple[str, ...]]:
            return name, declared[name].help, declared[name].labels

        return cls(
            duration=Histogram(*doc("obsgen_query_duration_seconds"), registry=registry,
                               buckets=declared["obsgen_query_duration_seconds"].buckets),
            runs=Counter(*doc("obsgen_query_runs_total"), registry=registry),
            missed=Counter(*doc("obsgen_query_runs_missed_total"), registry=registry),
            last_success=Gauge(*doc("obsgen_query_last_success_timestamp_seconds"), registry=registry),
            failing_runs=Gauge(*doc("obsgen_query_consecutive_failures"), registry=registry),
            database_up=Gauge(*doc("obsgen_database_up"), registry=registry),
            prometheus_up=Gauge(*doc("obsgen_prometheus_up"), registry=registry),
        )

    def declare(self, job: Job) -> None:
        """Create a job's series at zero, so rates and absence checks work before its first failure."""
        for status in STATUSES:
            self.runs.labels(query=job.name, database=job.database, status=status)
        self.duration.labels(query=job.name, database=job.database)
        self.missed.labels(query=job.name, database=job.database)
        self.failing_runs.labels(query=job.name, database=job.database)


class Scheduler:
    """Starts each job at once, then every `interval` after its previous start; a job never overlaps itself."""

    def __init__(self, jobs: Sequence[Job], cache: ResultCache, metrics: SelfMetrics,
                 on_change: Callable[[], None] = lambda: None, workers: int = 8,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self._jobs = list(jobs)
        self._on_change = on_change
        self._cache = cache
        self._metrics = metrics
        self._clock, self._wall = clock, wall
        self._due: queue.SimpleQueue[Job | None] = queue.SimpleQueue()  # None: a worker's end
        self._workers = [threading.Thread(target=self._work, name=f"obsgen-job-{number}", daemon=True)
                         for number in range(max(1, min(workers, len(self._jobs))))]
        self._stop = threading.Event()
        self._running: dict[str, float] = {}  # job name -> start of its run in progress
        self._last_error: dict[str, str] = {}
        self._warned_since: dict[str, float] = {}  # job name -> start of the run last warned about
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="obsgen-scheduler", daemon=True)
        for job in self._jobs:
            metrics.declare(job)

    def start(self) -> None:
        """Begin running jobs in the background."""
        for worker in self._workers:
            worker.start()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop scheduling, interrupt the runs in progress and wait for them, `timeout` seconds at most."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        with self._lock:
            running = [job for job in self._jobs if job.name in self._running]
        for job in running:
            job.interrupt()
        for _ in self._workers:
            self._due.put(None)
        for worker in self._workers:
            if worker.is_alive():
                worker.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            left = sorted(self._running) if any(worker.is_alive() for worker in self._workers) else []
        if left:
            log.warning("%s: %s (%g s)", ", ".join(left), LEFT_RUNNING_AT_STOP, timeout)

    def _loop(self) -> None:
        start = self._clock()
        due = [(start, index) for index in range(len(self._jobs))]
        heapq.heapify(due)
        while due and not self._stop.is_set():
            at, index = due[0]
            if self._stop.wait(max(0.0, at - self._clock())):
                return
            heapq.heappop(due)
            job = self._jobs[index]
            with self._lock:
                since = self._running.get(job.name)
                if since is None:
                    self._running[job.name] = self._clock()
            if since is None:
                self._due.put(job)
            else:
                self._missed(job, since)
            interval = parse_seconds(job.schedule.interval)
            following = at + interval
            heapq.heappush(due, (following if following > self._clock() else self._clock() + interval, index))

    def _work(self) -> None:
        while (job := self._due.get()) is not None:
            if self._stop.is_set():  # due before the stop, not started since: not worth starting now
                with self._lock:
                    del self._running[job.name]
                continue
            self._execute(job)

    def _execute(self, job: Job) -> None:
        started, as_of = self._clock(), self._wall()
        try:
            found = job.run(as_of)
        except JobFailed as error:
            self._failed(job, error, "timeout" if isinstance(error, JobTimeout) else "error")
        except Exception as error:  # a bug must not kill the worker: report it like any failure
            log.exception("%s: %s: unexpected failure", job.location, job.name)
            self._failed(job, error, "error")
        else:
            self._cache.put(job.name, found, parse_seconds(job.schedule.stale_after))
            self._metrics.runs.labels(query=job.name, database=job.database, status="success").inc()
            # the time its values are as of
            self._metrics.last_success.labels(query=job.name, database=job.database).set(as_of)
            self._metrics.failing_runs.labels(query=job.name, database=job.database).set(0)
            job.up.set(1)
            if self._last_error.pop(job.name, None) is not None:
                log.info("%s: %s recovered: %d samples", job.location, job.name, len(found))
        finally:
            self._metrics.duration.labels(query=job.name, database=job.database).observe(self._clock() - started)
            with self._lock:
                del self._running[job.name]
            self._on_change()
            allocator.release_free_memory()  # what the run freed goes back, whichever thread's arena held it

    def _missed(self, job: Job, since: float) -> None:
        """A run due while the previous one is still going is not started (a job never overlaps itself): count
        it, and say so once per run that is holding it up."""
        self._metrics.missed.labels(query=job.name, database=job.database).inc()
        if self._warned_since.get(job.name) != since:
            self._warned_since[job.name] = since
            log.warning("%s: %s still running after %.0f s: its runs due meanwhile are skipped", job.location,
                        job.name, self._clock() - since)

    def _failed(self, job: Job, error: BaseException, status: str) -> None:
        self._metrics.runs.labels(query=job.name, database=job.database, status=status).inc()
        self._metrics.failing_runs.labels(query=job.name, database=job.database).inc()
        down = isinstance(error, SourceDown)
        job.up.set(0 if down else 1)
        if down:
            self._cache.drop(job.name)
        message = str(error)
        if self._last_error.get(job.name) != message:  # log a failure once, not at every interval
            log.error("%s: %s failed: %s", job.location, job.name, message)
            self._last_error[job.name] = message
