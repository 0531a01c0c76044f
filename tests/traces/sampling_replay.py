"""Replay of the collector's tail sampling over a synthetic span stream: the share of critical requests traced.

trace_coverage reads which policies keep a critical route; it cannot see time. A critical request is only traced
if its root span (the one carrying http.route) reaches tail_sampling before the trace's decision, and if the
trace was not evicted from the num_traces buffer first. This replays the generated tail_sampling processor (its
decision_wait, num_traces, decision caches and policies, read from the generated config) as contrib's default
trace-complete strategy runs it, over spans made from the declared traffic:

- every endpoint receives its requests_per_second for the replayed window; a request lasts up to its timeout, its
  root span carries the route, its first child span ends as it starts (the worst case: the trace's decision clock
  starts a whole request before its root span ends), its other spans end inside it, and an error (declared
  error_ratio) is set on one child span only, never on the root (the errors policy must find it in a child);
- each span reaches the collector up to the SDK's export delay after it ends (BatchSpanProcessor's schedule);
- a trace's decision is taken on the first one-second tick after decision_wait has passed since its first span
  arrived (internal/idbatcher: between decision_wait and decision_wait + 1 s); policies see the spans arrived by
  then; a trace is dropped before its decision when num_traces newer traces arrived meanwhile (the circular buffer);
- a span arriving after the decision follows it when the decision cache of that kind remembers the trace, is
  dropped with the trace otherwise if that cache exists, and without a cache starts the trace afresh (README,
  "Late-Arriving Spans": it is buffered decision_wait again and decided on what arrives).

The result says, per critical route, how many requests had their root span exported (what Tempo's span metrics
count, the runtime ratio service_route:critical_traces_kept:ratio_rate10m) and how many were kept whole. What it
cannot see is named in trace_coverage: spans refused under memory pressure and export failures.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from generator.checks.trace_coverage import CoverageError, policy_regex, sampler
from generator.core.duration import parse_seconds
from generator.model.trace_sizing import SDK_EXPORT_DELAY_S
from generator.model.tracing import Endpoint, Service

ERROR = "ERROR"
UNSET = "UNSET"


class Span(NamedTuple):
    """One span as tail_sampling sees it."""

    start: float
    end: float
    arrival: float
    """When the collector receives it: its end plus up to the SDK's export delay."""
    attributes: dict[str, str]
    """Span and resource attributes together, as string_attribute reads them."""
    status: str = UNSET
    root: bool = False
    """The request's server span, the one carrying its route."""


@dataclass
class Trace:
    """One request: its spans and the facts the replay reports."""

    route: str
    critical: bool
    draw: float  # the trace id's place in [0, 1): what the probabilistic policy compares with its percentage
    spans: list[Span]
    first_arrival: float = 0.0
    decision_at: float = 0.0
    sampled: bool = False
    dropped_too_early: bool = False
    exported: list[bool] = field(default_factory=list)

    @property
    def root_exported(self) -> bool:
        """Whether the root span (the route's server span) reached the exporters."""
        return any(done for span, done in zip(self.spans, self.exported, strict=True) if span.root)

    @property
    def whole(self) -> bool:
        """Whether every span of the request reached the exporters."""
        return all(self.exported)


@dataclass(frozen=True)
class RouteReplay:
    """One critical route's requests and how many of them were traced."""

    route: str
    requests: int
    root_exported: int
    """Requests whose root span reached the exporters (what Tempo's span metrics count)."""
    whole: int
    """Requests kept with every span."""

    def __str__(self) -> str:
        traced = self.root_exported / self.requests if self.requests else 1.0
        return f"{self.route}: {self.root_exported}/{self.requests} requests traced ({traced:.1%}), {self.whole} whole"


@dataclass(frozen=True)
class ReplayReport:
    """Critical requests traced in the replay, against the target."""

    routes: tuple[RouteReplay, ...]
    target: float
    seconds: float
    traces: int
    dropped_too_early: int
    errors: int
    errors_kept_whole: int

    @property
    def share(self) -> float:
        """Share of the replayed critical requests whose root span was exported."""
        total = sum(r.requests for r in self.routes)
        return sum(r.root_exported for r in self.routes) / total if total else 1.0

    @property
    def whole_share(self) -> float:
        """Share of the replayed critical requests kept with every span."""
        total = sum(r.requests for r in self.routes)
        return sum(r.whole for r in self.routes) / total if total else 1.0

    @property
    def ok(self) -> bool:
        """Over the target, as the plan asks (more than 80%)."""
        return self.share > self.target or self.share == 1.0

    def summary(self) -> str:
        """One line: the replayed share against the target."""
        return (f"replayed tail sampling keeps {self.share:.1%} of {sum(r.requests for r in self.routes)} critical "
                f"requests ({self.whole_share:.1%} whole; target over {self.target:.0%}) in {self.seconds:g}s of "
                f"declared traffic, {self.traces} traces, {self.dropped_too_early} dropped before their decision, "
                f"{self.errors_kept_whole}/{self.errors} traces with an error kept whole")


@dataclass(frozen=True)
class Traffic:
    """How the synthetic requests behave, beyond what the endpoints declare."""

    seconds: float = 30.0
    export_delay_s: float = SDK_EXPORT_DELAY_S
    duration_share: tuple[float, float] = (0.05, 1.0)  # a request lasts this share of its timeout, uniformly
    overrun_share: float = 0.0  # share of requests that run past their timeout
    overrun_s: float = 0.0  # by how much
    seed: int = 52


def _requests(endpoint: Endpoint, service: str, traffic: Traffic, rng: random.Random) -> Iterable[Trace]:
    """The endpoint's requests over the window, each a trace with its spans and their arrival times."""
    timeout = parse_seconds(endpoint.timeout)
    for _ in range(round(endpoint.requests_per_second * traffic.seconds)):
        start = rng.uniform(0.0, traffic.seconds)
        duration = rng.uniform(*traffic.duration_share) * timeout
        if rng.random() < traffic.overrun_share:
            duration = timeout + traffic.overrun_s
        end = start + duration
        spans = [Span(start, end, end + rng.uniform(0.0, traffic.export_delay_s),
                      {"http.route": endpoint.route, "service.name": service}, root=True)]
        for child in range(endpoint.spans_per_request - 1):
            # the first child ends as the request starts (a middleware's, an auth check's span): its trace's
            # decision clock starts then, the whole request before the root span comes
            child_start = start if child == 0 else rng.uniform(start, end)
            child_end = start + 0.01 * duration if child == 0 else rng.uniform(child_start, end)
            spans.append(Span(child_start, child_end, child_end + rng.uniform(0.0, traffic.export_delay_s),
                              {"service.name": service}))
        if rng.random() < endpoint.error_ratio:
            failing = rng.randrange(1, len(spans)) if len(spans) > 1 else 0
            spans[failing] = spans[failing]._replace(status=ERROR)
        yield Trace(endpoint.route, endpoint.critical, rng.random(), spans)


def _matches(settings: dict[str, Any], spans: Sequence[Span]) -> bool:
    key, values = settings.get("key"), [str(v) for v in settings.get("values", [])]
    found = [span.attributes[key] for span in spans if key in span.attributes]
    if settings.get("enabled_regex_matching"):
        hit = any(policy_regex(pattern).matches(value) for pattern in values for value in found)
    else:
        hit = any(value in values for value in found)
    return hit != bool(settings.get("invert_match"))


def _samples(policy: dict[str, Any], trace: Trace, spans: Sequence[Span]) -> bool:
    """Whether one policy votes to sample the trace, from the spans arrived by its decision."""
    kind = policy.get("type")
    settings = policy.get(kind, {}) if isinstance(kind, str) else {}
    if kind == "always_sample":
        return True
    if kind == "probabilistic":
        return trace.draw < float(settings.get("sampling_percentage", 0)) / 100
    if kind == "string_attribute":
        return _matches(settings, spans)
    if kind == "status_code":
        return any(span.status in settings.get("status_codes", []) for span in spans)
    if kind == "latency":
        duration_ms = (max(s.end for s in spans) - min(s.start for s in spans)) * 1000
        upper = settings.get("upper_threshold_ms", 0)
        return duration_ms >= settings.get("threshold_ms", 0) and (not upper or duration_ms <= upper)
    if kind == "and":
        return all(_samples(sub, trace, spans) for sub in settings.get("and_sub_policy", []))
    raise CoverageError(f"tail_sampling policy {policy.get('name', '?')!r} of type {kind!r} is not replayed")


def _decide(policies: list[dict[str, Any]], trace: Trace, spans: Sequence[Span]) -> bool:
    """The processor's final decision: sampled when any policy samples (no drop policy is written)."""
    return bool(spans) and any(_samples(policy, trace, spans) for policy in policies)


def _tick_after(arrival: float, wait: int) -> float:
    """The tick deciding a trace first seen at `arrival`: the one closing its batch, then `wait` batches later."""
    return math.floor(arrival) + 1 + wait


def _remembered(decisions: list[float], decided_at: float, arrival: float, size: int) -> bool:
    """Whether an LRU of `size` decisions still holds one taken at `decided_at` when a late span comes."""
    return size > 0 and bisect.bisect_right(decisions, arrival) - bisect.bisect_right(decisions, decided_at) < size


def _late(trace: Trace, late: list[int], settings: dict[str, Any], wait: int,
          decided: dict[bool, list[float]]) -> None:
    """Spans arriving after the decision (or the eviction): the cache's answer, or a fresh trace without one."""
    cache = settings.get("decision_cache") or {}
    size = int(cache.get("sampled_cache_size" if trace.sampled else "non_sampled_cache_size", 0))
    fresh = []
    for index in late:
        arrival = trace.spans[index].arrival
        if not trace.dropped_too_early and _remembered(decided[trace.sampled], trace.decision_at, arrival, size):
            trace.exported[index] = trace.sampled
        else:
            fresh.append(index)
    if fresh:  # buffered again from the first of them, decided on what arrives by then (one more round)
        fresh.sort(key=lambda i: trace.spans[i].arrival)
        again = _tick_after(trace.spans[fresh[0]].arrival, wait)
        seen = [i for i in fresh if trace.spans[i].arrival <= again]
        keep = _decide(settings["policies"], trace, [trace.spans[i] for i in seen])
        for index in seen:
            trace.exported[index] = keep


def replay(services: Sequence[Service], config: dict[str, Any], target: float,
           traffic: Traffic | None = None) -> ReplayReport:
    """Run the generated tail_sampling over the declared traffic and count the critical requests traced."""
    traffic = traffic or Traffic()
    settings = sampler(config)
    if settings is None:
        raise CoverageError("the path to Tempo has no tail_sampling processor: nothing to replay")
    wait = max(1, math.ceil(parse_seconds(str(settings.get("decision_wait", "30s")))))
    capacity = int(settings.get("num_traces", 50000))
    rng = random.Random(traffic.seed)
    traces = [trace for service in services for endpoint in service.endpoints
              for trace in _requests(endpoint, service.name, traffic, rng)]
    for trace in traces:
        trace.first_arrival = min(span.arrival for span in trace.spans)
        trace.decision_at = _tick_after(trace.first_arrival, wait)
    traces.sort(key=lambda t: t.first_arrival)
    firsts = [t.first_arrival for t in traces]
    for position, trace in enumerate(traces):
        newer = bisect.bisect_left(firsts, trace.decision_at) - position - 1
        trace.dropped_too_early = newer >= capacity
        if trace.dropped_too_early:  # evicted when the capacity-th newer trace came: its spans so far are lost
            trace.decision_at = firsts[position + capacity]
        on_time = [s for s in trace.spans if s.arrival <= trace.decision_at]
        trace.sampled = not trace.dropped_too_early and _decide(settings["policies"], trace, on_time)
        trace.exported = [trace.sampled and s.arrival <= trace.decision_at for s in trace.spans]
    decided: dict[bool, list[float]] = {True: [], False: []}
    for trace in traces:
        if not trace.dropped_too_early:
            decided[trace.sampled].append(trace.decision_at)
    for times in decided.values():
        times.sort()
    for trace in traces:
        late = [i for i, s in enumerate(trace.spans) if s.arrival > trace.decision_at]
        if late:
            _late(trace, late, settings, wait, decided)
    routes = sorted({t.route for t in traces if t.critical})
    errors = [t for t in traces if any(s.status == ERROR for s in t.spans)]
    return ReplayReport(
        routes=tuple(RouteReplay(route, len(of := [t for t in traces if t.route == route and t.critical]),
                                 sum(t.root_exported for t in of), sum(t.whole for t in of)) for route in routes),
        target=target, seconds=traffic.seconds, traces=len(traces),
        dropped_too_early=sum(t.dropped_too_early for t in traces),
        errors=len(errors), errors_kept_whole=sum(t.whole for t in errors),
    )
