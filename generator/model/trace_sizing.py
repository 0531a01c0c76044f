"""Tail-sampling buffer sizing from declared traffic, and the collector memory it needs.

The tail_sampling processor holds every span of a trace until decision_wait has passed since the
trace's first span; traces that do not fit in num_traces are dropped before any policy sees them,
critical ones included. So decision_wait must outlast the slowest request plus the SDK's export
delay, and num_traces must hold every trace started during that window, with headroom for bursts.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from generator.core.duration import format_seconds, parse_seconds
from generator.model.tracing import Service, TracingPolicy

SDK_EXPORT_DELAY_S = 5  # BatchSpanProcessor's default schedule delay: spans reach the collector this late
BATCH_TIMEOUT_S = 5  # the collector's batch processor sends what it holds at least this often
DECISION_TICK_S = 1  # tail_sampling decides on its traces once a second
BURST_HEADROOM = 2.0  # num_traces holds twice the steady-state in-flight traces
DECISION_CACHE_FACTOR = 10  # remember decisions ten times longer than span data, for late spans
CACHE_ENTRY_BYTES = 64  # one trace id in the decision LRU cache
LIMIT_SHARE = 0.8  # memory_limiter's limit, as a share of the container's memory
SPIKE_SHARE = 0.25  # spike limit, as a share of the limit
BUFFER_SHARE = 0.5  # tail-sampling buffers may use this share of the soft limit; the rest is batches and queues
MIB = 1024 * 1024


@dataclass(frozen=True)
class TailSamplingSize:
    """tail_sampling and memory_limiter settings derived from traffic, with the memory they imply."""

    traces_per_second: float
    spans_per_trace: float
    decision_wait_s: int
    num_traces: int
    decision_cache_size: int
    buffer_bytes: int
    limit_mib: int
    spike_limit_mib: int

    @property
    def decision_wait(self) -> str:
        """decision_wait as a duration string."""
        return format_seconds(self.decision_wait_s)

    @property
    def latest_arrival_s(self) -> int:
        """Longest a kept span takes from its end to the trace store: the SDK's delay, the decision wait (a
        trace's first span may end as it starts), the decision tick and the batch after sampling."""
        return SDK_EXPORT_DELAY_S + self.decision_wait_s + DECISION_TICK_S + BATCH_TIMEOUT_S

    @property
    def budget_bytes(self) -> int:
        """Memory the buffers may use: half of the memory_limiter's soft limit."""
        return int((self.limit_mib - self.spike_limit_mib) * MIB * BUFFER_SHARE)

    @property
    def fits(self) -> bool:
        """Whether the buffers fit in their budget."""
        return self.buffer_bytes <= self.budget_bytes

    def summary(self) -> str:
        """One line for build and check output."""
        return (
            f"tail sampling: {self.traces_per_second:g} traces/s x decision_wait {self.decision_wait} "
            f"-> num_traces {self.num_traces} x {self.spans_per_trace:.1f} spans "
            f"= {self.buffer_bytes / MIB:.1f} MiB buffered (budget {self.budget_bytes / MIB:.0f} MiB "
            f"of memory_limiter limit {self.limit_mib} MiB)"
        )


def size(policy: TracingPolicy, services: Sequence[Service]) -> TailSamplingSize:
    """Sizes for the declared traffic of every service's endpoints."""
    endpoints = [e for service in services for e in service.endpoints]
    traces_per_second = sum(e.requests_per_second for e in endpoints)
    spans = sum(e.requests_per_second * e.spans_per_request for e in endpoints)
    spans_per_trace = spans / traces_per_second if traces_per_second else 0.0
    slowest = max((parse_seconds(e.timeout) for e in endpoints), default=0.0)
    decision_wait = math.ceil(slowest) + SDK_EXPORT_DELAY_S
    in_flight = traces_per_second * decision_wait * BURST_HEADROOM
    num_traces = max(1000, math.ceil(in_flight / 1000) * 1000)
    cache = num_traces * DECISION_CACHE_FACTOR
    buffer = math.ceil(num_traces * spans_per_trace * policy.span_memory_bytes) + 2 * cache * CACHE_ENTRY_BYTES
    limit = int(policy.collector_memory_mib * LIMIT_SHARE)
    return TailSamplingSize(
        traces_per_second=traces_per_second,
        spans_per_trace=spans_per_trace,
        decision_wait_s=decision_wait,
        num_traces=num_traces,
        decision_cache_size=cache,
        buffer_bytes=buffer,
        limit_mib=limit,
        spike_limit_mib=int(limit * SPIKE_SHARE),
    )
