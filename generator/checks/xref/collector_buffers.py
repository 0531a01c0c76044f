"""The collector's tail-sampling buffers fit its memory budget.

Tail sampling holds every trace for `decision_wait` before deciding; the buffers are sized from the declared
traffic, and must fit half of the collector's `memory_limiter` budget, or the collector drops spans under load.

Fix: raise `collector_memory_mib`, or run more collectors (declare less traffic per collector).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model.trace_sizing import size
from generator.model.tracing import Service, TracingPolicy

CODE = "XR019"
NAME = "collector-buffers"
LEVEL = Level.ERROR


def check(context: Context) -> Iterator[Finding]:
    services = context.project.all(Service)
    for policy in context.project.all(TracingPolicy):
        sizing = size(policy, services)
        if not sizing.fits:
            yield Finding(policy, f"{sizing.summary()}: the buffers do not fit; raise collector_memory_mib or declare "
                                  "less traffic per collector")
