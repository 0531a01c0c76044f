"""Settings that describe one thing are defined at most once.

A project has one tracing policy, one trace store, one log store, one exporter, one Kubernetes packaging and one
Grafana server; a second definition of any of them would contradict the first. As for duplicate names (XR001), the
problem is reported at the definition in the more recently edited file (the one just added, usually) and names the
other place.

Fix: merge the two definitions into one. A service's own tracing is no second TracingPolicy: its `Service`
declares its endpoints, and those marked `critical=True` are kept whole (`critical_ratio`) while the one policy
samples the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.load.locate import newest_first
from generator.model import (
    Definition,
    ExporterSettings,
    GrafanaServer,
    Kubernetes,
    LogStorage,
    TraceStorage,
    TracingPolicy,
)

CODE = "XR002"
NAME = "at-most-one"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it
SINGLE: tuple[type[Definition], ...] = (TracingPolicy, TraceStorage, LogStorage, ExporterSettings, Kubernetes,
                                        GrafanaServer)


def check(context: Context) -> Iterator[Finding]:
    for kind in SINGLE:
        found = newest_first(context.project.all(kind))  # the oldest last: the one the others are told beside
        for extra in found[:-1]:
            yield Finding(extra, f"a second {kind.__name__}; the first is at {found[-1].location}", (),
                          (found[-1].location,))
